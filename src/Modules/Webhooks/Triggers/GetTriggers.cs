using Microsoft.AspNetCore.Authorization;

namespace Ellity.Webhooks.Triggers;

public sealed record VariableResponse(string Name, string Description, string Sample, string Type);

public sealed record TriggerResponse(string Name, string Description, IReadOnlyList<VariableResponse> Variables);

public static class GetTriggersEndpoint
{
    [WolverineGet("/api/webhooks/triggers"), Tags("Webhooks"), AllowAnonymous]
    public static IReadOnlyList<TriggerResponse> Get(TriggerCatalog triggers) =>
        triggers.All
            .Select(t => new TriggerResponse(t.Name, t.Description,
                t.Variables.Select(v => new VariableResponse(
                    v.Name, v.Description, v.Sample, v.Type == VariableType.Number ? "number" : "text")).ToList()))
            .ToList();
}

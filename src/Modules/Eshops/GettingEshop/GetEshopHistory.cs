using JasperFx.Events;

namespace Ellity.Eshops.GettingEshop;

/// <summary>One change to an e-shop: what changed (<c>data</c>), when, and who made it.</summary>
public sealed record EshopChange(long Version, DateTimeOffset At, string Change, string Actor, object Data);

/// <summary>An e-shop's history, read from its event stream: registration, key rotations, features added and removed.</summary>
public static class GetEshopHistoryEndpoint
{
    [WolverineGet("/api/eshops/{eshopId}/history"), Tags("E-shops")]
    public static async Task<IReadOnlyList<EshopChange>> Get(string eshopId, IQuerySession session, CancellationToken ct) =>
        [.. (await session.Events.FetchStreamAsync(Eshop.StreamIdFor(eshopId), token: ct)).Select(Describe)];

    public static EshopChange Describe(IEvent e)
    {
        var (change, data) = e.Data switch
        {
            EshopRegistered c => ("registered", (object)new { c.Name, c.Features }),
            ApiKeyRotated => ("api-key-rotated", new { }),
            EshopFeatureAdded c => ("feature-added", new { c.Feature }),
            EshopFeatureRemoved c => ("feature-removed", new { c.Feature }),
            _ => (e.EventTypeName, new { }),
        };
        return new EshopChange(e.Version, e.Timestamp, change, e.UserName ?? "system", data);
    }
}

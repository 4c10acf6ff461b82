namespace Ellity.Eshops.Features;

public static class AddWebhooksFeatureEndpoint
{
    /// <summary>
    /// Adds the Webhooks feature: the e-shop's webhooks can be set up and send. After a removal, they send again what happens
    /// from now on. Adding it again changes nothing.
    /// </summary>
    [WolverinePost("/api/eshops/{eshopId}/features/webhooks"), Tags("E-shops")]
    public static async Task<FeatureResponse> Post(string eshopId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await EshopFeatureChanges.FetchAsync(session, eshopId, ct);
        var added = EshopFeatureChanges.Add(stream.Aggregate, eshopId, EshopFeature.Webhooks, DateTimeOffset.UtcNow);
        if (added is not null) stream.AppendOne(added);
        return EshopFeatureChanges.Response(stream.Aggregate, EshopFeature.Webhooks, added);
    }
}

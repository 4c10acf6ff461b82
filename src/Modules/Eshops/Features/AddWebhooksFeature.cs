namespace Ellity.Eshops.Features;

public static class AddWebhooksFeatureEndpoint
{
    /// <summary>
    /// Adds the Webhooks feature: the e-shop's webhooks can be set up and send. After a removal, they send again what happens
    /// from now on. Adding it again changes nothing.
    /// </summary>
    [WolverinePost("/api/eshops/{eshopId}/features/webhooks"), Tags("E-shops")]
    public static async Task<(FeatureResponse, OutgoingMessages)> Post(string eshopId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await EshopFeatureChanges.FetchAsync(session, eshopId, ct);
        var added = EshopFeatureChanges.Add(stream.Aggregate, eshopId, EshopFeature.Webhooks, DateTimeOffset.UtcNow);
        var messages = new OutgoingMessages();
        if (added is not null)
        {
            stream.AppendOne(added);
            messages.Add(new EshopFeatureAddedIntegrationEvent(eshopId, added.Feature, added.At));
        }
        return (EshopFeatureChanges.Response(stream.Aggregate, EshopFeature.Webhooks, added), messages);
    }
}

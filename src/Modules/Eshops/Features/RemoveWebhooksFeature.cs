namespace Ellity.Eshops.Features;

public static class RemoveWebhooksFeatureEndpoint
{
    /// <summary>
    /// Removes the Webhooks feature: nothing more is sent and pending retries end failed. The webhooks, their secrets and the
    /// delivery history are kept for when it is added again. Removing it again changes nothing.
    /// </summary>
    [WolverineDelete("/api/eshops/{eshopId}/features/webhooks"), Tags("E-shops")]
    public static async Task<(FeatureResponse, OutgoingMessages)> Delete(string eshopId, IDocumentSession session, CancellationToken ct)
    {
        var stream = await EshopFeatureChanges.FetchAsync(session, eshopId, ct);
        var removed = EshopFeatureChanges.Remove(stream.Aggregate, eshopId, EshopFeature.Webhooks, DateTimeOffset.UtcNow);
        var messages = new OutgoingMessages();
        if (removed is not null)
        {
            stream.AppendOne(removed);
            messages.Add(new EshopFeatureRemovedIntegrationEvent(eshopId, removed.Feature, removed.At));
        }
        return (EshopFeatureChanges.Response(stream.Aggregate, EshopFeature.Webhooks, removed), messages);
    }
}

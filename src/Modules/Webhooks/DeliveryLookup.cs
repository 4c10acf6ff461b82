namespace Ellity.Webhooks;

/// <summary>A delivery is looked up within the e-shop in the path: another shop's delivery is simply not found.</summary>
internal static class DeliveryLookup
{
    public static async Task<Delivery?> Load(IQuerySession session, string eshopId, Guid deliveryId, CancellationToken ct) =>
        await session.LoadAsync<Delivery>(deliveryId, ct) is { } delivery && delivery.EshopId == eshopId ? delivery : null;

    public static ProblemHttpResult NotFound(Guid deliveryId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Delivery not found",
        detail: $"No delivery {deliveryId} in this e-shop.");
}

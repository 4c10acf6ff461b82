namespace Ellity.Webhooks;

/// <summary>
/// <see cref="Count"/> events of a page dispatched at <see cref="At"/> did not meet the webhook's conditions and made no
/// delivery; the last of them, <see cref="LastEventId"/>, did not meet <see cref="LastUnmet"/>. Counted in the webhook's
/// statistics (see <c>Auditing/WebhookHourSkips</c>).
/// </summary>
public sealed record WebhookEventsSkipped(Guid WebhookId, DateTimeOffset At, int Count, Guid LastEventId, string LastUnmet);

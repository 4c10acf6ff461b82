using Ellity.Webhooks.Delivering;

namespace Ellity.Webhooks.Alerting;

/// <summary>One alert to the e-shop's operational webhook, as JSON; <c>webhook-id</c> is the alert's, the same on every try.</summary>
public sealed record PostAlert(Guid AlertId, string EshopId, DateTimeOffset At, string Body);

/// <summary>
/// POSTs the alert like any delivery: through the guarded client (no internal addresses, the circuit breakers), signed with
/// the settings' own secret (Standard Webhooks). A failure is tried again later.
/// </summary>
public static class PostAlertHandler
{
    public static async Task Handle(PostAlert alert, IQuerySession session, WebhookSender sender, WebhookSecretProtector secrets,
        CancellationToken ct)
    {
        var settings = await AlertSettings.LoadAsync(session, alert.EshopId, ct);
        if (settings is not { WebhookUrl: { } url, WebhookSecret: { } secret }) return;
        var request = new DeliveryRequest("POST", url, new Dictionary<string, string>
        {
            [DeliveryHeaders.Id] = "alert_" + alert.AlertId.ToString("N"),
            ["Content-Type"] = "application/json",
            ["User-Agent"] = Dispatching.RequestRenderer.UserAgent,
        }, alert.Body);
        // Each try reads the settings afresh: saving them again (a new secret, another URL) is how the owner mends this.
        var current = secrets.TryUnprotect(settings.Id, secret)
            ?? throw new AlertNotSentException("The operational webhook's secret cannot be decrypted; saving the notification settings or rotating the secret makes a new one.");
        // After a rotation the previous secret signs too for its day: a receiver still checking with it accepts the alert.
        var previous = settings.PreviousWebhookSecretExpiresAt > DateTimeOffset.UtcNow && settings.PreviousWebhookSecret is { } old
            ? secrets.TryUnprotect(settings.Id, old) : null;
        IReadOnlyList<string> signing = previous is null ? [current] : [current, previous];
        try
        {
            var attempt = await sender.SendAsync(request, 1, signing, new Dictionary<string, string>(), alert.EshopId, ct);
            if (!attempt.Succeeded) throw new AlertNotSentException($"The operational webhook {url} did not take the alert: {attempt.Error}");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new AlertNotSentException($"The operational webhook {url} is paused after repeated failures.", e);
        }
    }
}

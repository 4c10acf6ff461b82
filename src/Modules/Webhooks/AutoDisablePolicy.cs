using Ellity.Webhooks.Delivering;
using Microsoft.Extensions.Options;

namespace Ellity.Webhooks;

/// <summary>
/// When a failing webhook is to be switched off if nothing succeeds before (<see cref="DisableFailingWebhookHandler"/>), for
/// its health as every read of a webhook shows it.
/// </summary>
public sealed class AutoDisablePolicy(IOptions<WebhooksOptions> webhooks, IOptions<NotificationsOptions> notifications)
{
    public DateTimeOffset? DisablesAt(Webhook webhook, WebhookHealth? health) =>
        DisableFailingWebhookHandler.ExpectedSwitchOff(webhook, health, DateTimeOffset.UtcNow, webhooks.Value.AutoDisableAfter,
            notifications.Value.WarnBeforeDisable);
}

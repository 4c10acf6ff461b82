using Microsoft.Extensions.Options;

namespace Ellity.Webhooks.Alerting;

public static class GetAlertSettingsEndpoint
{
    /// <summary>The e-shop's notification settings; the defaults (Czech, nobody to write to) until it sets them.</summary>
    [WolverineGet("/api/eshops/{eshopId}/notifications"), Tags("Notifications")]
    public static async Task<AlertSettingsResponse> Get(string eshopId, IQuerySession session, WebhookSecretProtector secrets,
        IOptions<NotificationsOptions> notifications, CancellationToken ct) =>
        AlertSettingsResponse.From(await AlertSettings.LoadAsync(session, eshopId, ct), secrets, notifications.Value.CanEmail);
}

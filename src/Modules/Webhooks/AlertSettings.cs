namespace Ellity.Webhooks;

/// <summary>What the shop owner is told about: each alert is a transition of one webhook, never one failed attempt.</summary>
public static class Alerts
{
    /// <summary>A webhook started failing: so many attempts in a row, or for so long.</summary>
    public const string Failing = "failing";

    /// <summary>A failing webhook will be switched off automatically soon.</summary>
    public const string WillBeDisabled = "willBeDisabled";

    /// <summary>A webhook was switched off by the system: its receiver said 410, it failed too long, or the feature was removed.</summary>
    public const string Disabled = "disabled";

    /// <summary>A webhook the owner was told is failing works again.</summary>
    public const string Recovered = "recovered";

    public static readonly IReadOnlyList<string> All = [Failing, WillBeDisabled, Disabled, Recovered];
}

public static class AlertChannels
{
    public const string Email = "email";
    public const string Webhook = "webhook";
}

/// <summary>
/// The e-shop's notification settings, replaced as a whole. <see cref="WebhookSecret"/> signs the operational webhook
/// (protected like a webhook's secret); it is made when a URL is first set and kept while one is.
/// </summary>
public sealed record AlertSettingsChanged(
    string EshopId, string Language, IReadOnlyList<string> Emails, IReadOnlyList<string> EmailAlerts,
    string? WebhookUrl, IReadOnlyList<string> WebhookAlerts, string? WebhookSecret,
    int FailingAfterAttempts, int FailingAfterMinutes, DateTimeOffset At, string? TimeZone = null);

/// <summary>
/// The operational webhook got a new signing secret; <see cref="PreviousSecret"/> (protected) signs beside it until
/// <see cref="PreviousExpiresAt"/>, so the receiver can switch over.
/// </summary>
public sealed record AlertWebhookSecretRotated(string Secret, string? PreviousSecret, DateTimeOffset PreviousExpiresAt, DateTimeOffset At);

/// <summary>One e-shop's notification settings, folded from its own stream (<see cref="IdFor"/>).</summary>
public sealed record AlertSettings(
    Guid Id, string EshopId, string Language, IReadOnlyList<string> Emails, IReadOnlyList<string> EmailAlerts,
    string? WebhookUrl, IReadOnlyList<string> WebhookAlerts, string? WebhookSecret,
    int FailingAfterAttempts, int FailingAfterMinutes, string TimeZone = AlertSettings.DefaultTimeZone,
    string? PreviousWebhookSecret = null, DateTimeOffset? PreviousWebhookSecretExpiresAt = null)
{
    public const int DefaultFailingAfterAttempts = 5;
    public const int DefaultFailingAfterMinutes = 60;

    /// <summary>The shops are Czech: alert e-mails tell times in Prague's unless the owner chooses another zone.</summary>
    public const string DefaultTimeZone = "Europe/Prague";

    /// <summary>Until the owner sets anything: Czech, nobody to write to, the default thresholds, Prague's time.</summary>
    public static AlertSettings Default(string eshopId) =>
        new(IdFor(eshopId), eshopId, "cs", [], Alerts.All, null, Alerts.All, null, DefaultFailingAfterAttempts, DefaultFailingAfterMinutes);

    public static AlertSettings Create(AlertSettingsChanged e) => Default(e.EshopId).Apply(e);

    public AlertSettings Apply(AlertSettingsChanged e) => this with
    {
        Language = e.Language, Emails = e.Emails, EmailAlerts = e.EmailAlerts, WebhookUrl = e.WebhookUrl,
        WebhookAlerts = e.WebhookAlerts, WebhookSecret = e.WebhookSecret,
        FailingAfterAttempts = e.FailingAfterAttempts, FailingAfterMinutes = e.FailingAfterMinutes, TimeZone = e.TimeZone ?? DefaultTimeZone,
        // Without a URL there is nothing to sign: a previous secret goes with the current one.
        PreviousWebhookSecret = e.WebhookSecret is null ? null : PreviousWebhookSecret,
        PreviousWebhookSecretExpiresAt = e.WebhookSecret is null ? null : PreviousWebhookSecretExpiresAt,
    };

    public AlertSettings Apply(AlertWebhookSecretRotated e) => this with
    {
        WebhookSecret = e.Secret, PreviousWebhookSecret = e.PreviousSecret, PreviousWebhookSecretExpiresAt = e.PreviousExpiresAt,
    };

    /// <summary>The zone the e-mails tell times in; UTC should the system's tz database not know the saved one (any more).</summary>
    public TimeZoneInfo ZoneOrUtc() => FindTimeZone(TimeZone) ?? TimeZoneInfo.Utc;

    /// <summary>
    /// The zone of an IANA name such as <c>Europe/Prague</c> or <c>UTC</c>, or null for anything else: a Windows name, a
    /// path, an empty or overlong text. Checked by shape before the system's zone files are asked.
    /// </summary>
    public static TimeZoneInfo? FindTimeZone(string? name)
    {
        if (name is not { Length: > 0 and <= 64 } || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+')
            || !char.IsAsciiLetter(name[0]) || name.Contains("//") || name.EndsWith('/'))
            return null;
        try
        {
            return TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) && zone.HasIanaId ? zone : null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Where an alert goes: e-mail only when this installation can send it. Every alert is logged besides.</summary>
    public IReadOnlyList<string> ChannelsFor(string alert, bool canEmail)
    {
        var channels = new List<string>();
        if (canEmail && Emails.Count > 0 && EmailAlerts.Contains(alert)) channels.Add(AlertChannels.Email);
        if (WebhookUrl is not null && WebhookAlerts.Contains(alert)) channels.Add(AlertChannels.Webhook);
        return channels;
    }

    public static Guid IdFor(string eshopId) => EshopStreams.IdFor("ellity-alert-settings", eshopId);

    public static async Task<AlertSettings> LoadAsync(IQuerySession session, string eshopId, CancellationToken ct) =>
        await session.LoadAsync<AlertSettings>(IdFor(eshopId), ct) ?? Default(eshopId);
}

namespace Ellity.Webhooks;

/// <summary>How this installation tells shop owners about their webhooks (section <c>Notifications</c>).</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    /// <summary>Without <see cref="SmtpOptions.Host"/> no e-mail is sent: alerts go to the log and operational webhooks only.</summary>
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>The admin page's address as shop owners reach it, for the link to the delivery log in an alert; none without it.</summary>
    public string? AdminPageUrl { get; set; }

    /// <summary>A webhook that recovers and fails again is reported failing at most once in this long, so flapping does not spam.</summary>
    public TimeSpan RepeatFailingAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long before a failing webhook is switched off automatically the owner is warned.</summary>
    public TimeSpan WarnBeforeDisable { get; set; } = TimeSpan.FromDays(1);

    public bool CanEmail => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;

    /// <summary>MailKit's <c>SecureSocketOptions</c>: <c>Auto</c> (TLS on 465, STARTTLS when offered otherwise), <c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c>.</summary>
    public string Security { get; set; } = "Auto";

    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Ellity <alerts@localhost>";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public MailKit.Security.SecureSocketOptions SecureSocket =>
        Enum.Parse<MailKit.Security.SecureSocketOptions>(Security, ignoreCase: true);

    public bool IsValid() =>
        Enum.TryParse<MailKit.Security.SecureSocketOptions>(Security, ignoreCase: true, out _) && !int.TryParse(Security, out _)
        && MimeKit.MailboxAddress.TryParse(From, out _);
}

using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ellity.Webhooks.Alerting;

/// <summary>One alert e-mail to the e-shop's addresses; <see cref="AlertId"/> makes its Message-Id, the same on every try.</summary>
public sealed record EmailAlert(Guid AlertId, IReadOnlyList<string> To, string Subject, string Text, string Html);

/// <summary>Sends the alert over SMTP with MailKit (<c>Notifications:Smtp:*</c>).</summary>
public static class EmailAlertHandler
{
    public static async Task Handle(EmailAlert email, IOptions<NotificationsOptions> options, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        using var message = Message(email, smtp);
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.SecureSocket, ct);
            if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException
                                      or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new AlertNotSentException($"The alert e-mail could not be sent through {smtp.Host}:{smtp.Port}: {e.Message}", e);
        }
    }

    public static MimeMessage Message(EmailAlert email, SmtpOptions smtp)
    {
        var message = new MimeMessage { Subject = email.Subject, MessageId = $"alert-{email.AlertId}@ellity" };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var to in email.To) message.To.Add(MailboxAddress.Parse(to));
        message.Body = new BodyBuilder { TextBody = email.Text, HtmlBody = email.Html }.ToMessageBody();
        return message;
    }
}

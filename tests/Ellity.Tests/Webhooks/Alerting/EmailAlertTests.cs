using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Alerting;
using Microsoft.Extensions.Options;

namespace Ellity.Tests.Webhooks.Alerting;

/// <summary>The e-mail channel on its own, over real sockets: what arrives, and what an SMTP server that is down does.</summary>
public sealed class EmailAlertTests
{
    private static EmailAlert Alert(string to) =>
        new(Guid.CreateVersion7(), [to], "Webhook „ERP“ nefunguje", "Prostý text", "<p>HTML</p>");

    private static IOptions<NotificationsOptions> Smtp(int port) => Options.Create(new NotificationsOptions
    {
        Smtp = { Host = "127.0.0.1", Port = port, Security = "None", From = "Ellity <alerts@ellity.test>", Timeout = TimeSpan.FromSeconds(5) },
    });

    [Fact]
    public async Task an_alert_arrives_as_text_and_html_with_the_same_message_id_on_every_try()
    {
        await using var mail = new MailServer();
        var alert = Alert("owner@example.cz");

        await EmailAlertHandler.Handle(alert, Smtp(mail.Port), CancellationToken.None);
        await EmailAlertHandler.Handle(alert, Smtp(mail.Port), CancellationToken.None);

        var received = await mail.WaitForAsync("owner@example.cz", 2);
        Assert.All(received, m => Assert.Equal($"alert-{alert.AlertId}@ellity", m.MessageId));
        Assert.Equal("Prostý text", received[0].TextBody?.Trim());
        Assert.Equal("<p>HTML</p>", received[0].HtmlBody?.Trim());
        Assert.Equal("Webhook „ERP“ nefunguje", received[0].Subject);
    }

    [Fact]
    public async Task an_smtp_server_that_is_down_is_an_alert_not_sent_which_is_tried_again_later()
    {
        var closed = ScriptedReceiver.FreePort();

        var error = await Assert.ThrowsAsync<AlertNotSentException>(() =>
            EmailAlertHandler.Handle(Alert("owner@example.cz"), Smtp(closed), CancellationToken.None));

        Assert.Contains($"127.0.0.1:{closed}", error.Message);
    }

    [Theory]
    [InlineData("Auto", "Ellity <alerts@ellity.test>", true)]
    [InlineData("starttls", "alerts@ellity.test", true)]
    [InlineData("Tls", "alerts@ellity.test", false)]
    [InlineData("3", "alerts@ellity.test", false)]
    [InlineData("None", "not an address", false)]
    public void the_smtp_settings_are_checked_before_the_service_starts(string security, string from, bool valid)
    {
        Assert.Equal(valid, new SmtpOptions { Security = security, From = from }.IsValid());
    }
}

using Ellity.Tests.Infrastructure;
using Ellity.Webhooks;
using Ellity.Webhooks.Delivering;

namespace Ellity.Tests.Webhooks.Delivering;

/// <summary>What a receiver writes reaches an attempt's error only cut short and stripped of control characters.</summary>
public sealed class WebhookSenderTests
{
    [Fact]
    public async Task a_huge_reason_phrase_is_cut_short_in_the_recorded_error()
    {
        var reason = "Broken\tdown " + new string('x', 10_000);
        await using var receiver = new RawHttpServer($"HTTP/1.1 500 {reason}\r\nContent-Length: 0\r\n\r\n");
        await using var services = DeliveryServices.Build(new Dictionary<string, string?> { ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8" });

        var attempt = await services.GetAsync($"http://127.0.0.1:{receiver.Port}/hook");

        Assert.Equal(500, attempt.StatusCode);
        Assert.Equal($"The receiver answered 500 Brokendown {new string('x', WebhookSender.ErrorTextLimit - "Brokendown ".Length)}….",
            attempt.Error);
    }

    [Theory]
    [InlineData("Service Unavailable", "Service Unavailable")]
    [InlineData("line\r\nbreak\u0085 and\u202E bidi", "linebreak and bidi")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void receiver_text_loses_control_and_formatting_characters(string? text, string expected)
    {
        Assert.Equal(expected, WebhookSender.Bounded(text));
    }

    [Fact]
    public void receiver_text_is_cut_at_the_limit_without_splitting_a_surrogate_pair()
    {
        var limit = WebhookSender.ErrorTextLimit;

        Assert.Equal(new string('a', limit), WebhookSender.Bounded(new string('a', limit)));
        Assert.Equal(new string('a', limit) + "…", WebhookSender.Bounded(new string('a', limit + 50)));
        Assert.Equal(new string('a', limit - 1) + "…", WebhookSender.Bounded(new string('a', limit - 1) + "😀tail"));
    }
}

using System.Globalization;
using Ellity.Webhooks.Templating;

namespace Ellity.Tests.Webhooks.Templating;

public class TemplateValueTests
{
    [Fact]
    public void text_is_not_a_number_and_reads_back_as_given()
    {
        var value = TemplateValue.Text("Čeněk");

        Assert.False(value.IsNumber);
        Assert.Equal("Čeněk", value.AsText);
    }

    [Fact]
    public void a_number_reads_as_invariant_text_even_under_a_culture_with_a_decimal_comma()
    {
        var value = TemplateValue.Number(1234.5m);

        var text = CzechNumberCulture.Run(() => value.AsText);

        Assert.True(value.IsNumber);
        Assert.Equal("1234.5", text);
    }
}

/// <summary>
/// Runs code under a culture with Czech number formatting (decimal comma, space as group separator).
/// The repository uses invariant globalization, where "cs-CZ" cannot be loaded, so the culture is built by hand.
/// </summary>
internal static class CzechNumberCulture
{
    public static T Run<T>(Func<T> action)
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            // Proves the premise: culture-sensitive formatting would give a comma here.
            Assert.Equal("1234567,89", 1234567.89m.ToString());
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}

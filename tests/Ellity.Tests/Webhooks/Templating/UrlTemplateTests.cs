using Ellity.Webhooks.Templating;
using static Ellity.Tests.Webhooks.Templating.TemplateTestData;

namespace Ellity.Tests.Webhooks.Templating;

public class UrlTemplateTests
{
    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("jan@example.cz", "jan%40example.cz")]
    [InlineData("a&admin=1", "a%26admin%3D1")]
    [InlineData("../etc/passwd", "..%2Fetc%2Fpasswd")]
    [InlineData("jan+test", "jan%2Btest")]
    [InlineData("č", "%C4%8D")]
    [InlineData("x#y?z", "x%23y%3Fz")]
    [InlineData("A-z_0.9~", "A-z_0.9~")]
    [InlineData("", "")]
    public void values_are_percent_encoded(string value, string expected)
    {
        var template = UrlTemplate.Parse("https://erp.example/hook?v=#v#");

        Assert.Equal($"https://erp.example/hook?v={expected}", template.Render(Values(("v", TemplateValue.Text(value)))));
    }

    [Fact]
    public void a_realistic_url_renders_with_each_value_encoded()
    {
        var template = UrlTemplate.Parse("https://erp.example/hook?id=#customer.id#&email=#customer.email#");

        var rendered = template.Render(Values(
            ("customer.id", TemplateValue.Text("3f1c2a")),
            ("customer.email", TemplateValue.Text("jan.novák+x@example.cz"))));

        Assert.Equal("https://erp.example/hook?id=3f1c2a&email=jan.nov%C3%A1k%2Bx%40example.cz", rendered);
    }

    [Fact]
    public void literal_text_is_kept_as_written()
    {
        var template = UrlTemplate.Parse("https://x/a b/č?q=1&r=%41#frag");

        Assert.Equal("https://x/a b/č?q=1&r=%41#frag", template.Render(NoValues));
    }

    [Fact]
    public void a_missing_variable_renders_as_empty()
    {
        var template = UrlTemplate.Parse("https://x/?a=#a#&b=#b#");

        Assert.Equal("https://x/?a=&b=2", template.Render(Values(("b", TemplateValue.Text("2")))));
    }

    [Theory]
    [InlineData("79.5")]
    [InlineData("-20.5")]
    [InlineData("1234567.89")]
    public void numbers_render_in_invariant_culture(string number)
    {
        var template = UrlTemplate.Parse("https://x/?credit=#c#");

        var rendered = template.Render(Values(("c", TemplateValue.Number(decimal.Parse(number, System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.Equal($"https://x/?credit={number}", rendered);
    }

    [Fact]
    public void long_non_ascii_values_are_encoded_completely()
    {
        var template = UrlTemplate.Parse("https://x/?v=#v#&end=1");

        var rendered = template.Render(Values(("v", TemplateValue.Text(new string('č', 1000)))));

        Assert.Equal("https://x/?v=" + string.Concat(Enumerable.Repeat("%C4%8D", 1000)) + "&end=1", rendered);
    }

    [Fact]
    public void variable_names_are_distinct_in_order_of_first_appearance()
    {
        var template = UrlTemplate.Parse("https://x/#b#/#a#?b=#b#&c=#c#&a=#a#");

        Assert.Equal(["b", "a", "c"], template.VariableNames);
    }

    [Fact]
    public void a_url_without_placeholders_renders_unchanged()
    {
        var template = UrlTemplate.Parse("https://x/y?z=1");

        Assert.Empty(template.VariableNames);
        Assert.Equal("https://x/y?z=1", template.Render(NoValues));
    }
}

using System.Globalization;
using System.Text.Json;
using Ellity.Webhooks.Templating;
using static Ellity.Tests.Webhooks.Templating.TemplateTestData;

namespace Ellity.Tests.Webhooks.Templating;

public class BodyTemplateRenderTests
{
    [Fact]
    public void a_render_past_its_limit_gives_up_and_one_within_it_is_whole()
    {
        var template = ParseBody("{\"a\": \"#creditChange.reason##creditChange.reason#\"}");
        var values = Values(("creditChange.reason", TemplateValue.Text("\u2028\u2028")));

        Assert.Equal("{\"a\": \"\\u2028\\u2028\\u2028\\u2028\"}", template.Render(values, 33));
        Assert.Null(template.Render(values, 32));
        Assert.Null(UrlTemplate.Parse("https://x.example.cz/?r=#creditChange.reason#").Render(values, 40));
        Assert.Equal("https://x.example.cz/?r=%E2%80%A8%E2%80%A8", UrlTemplate.Parse("https://x.example.cz/?r=#creditChange.reason#").Render(values, 42));
    }

    [Fact]
    public void a_realistic_body_keeps_the_users_spacing_and_key_order_byte_for_byte()
    {
        const string text = "{\n    \"z\" :\"#account.eshopId#\",\r\n  \"credit\":   #customer.credit# ,\n\t\"a\": [ \"#customer.email#\",#creditChange.reason#],  \"m\":{\"nested\" :  #customer.id#}\n}\n";
        var template = ParseBody(text);

        var rendered = template.Render(Values(
            ("account.eshopId", TemplateValue.Text("eshop-42")),
            ("customer.credit", TemplateValue.Number(79.5m)),
            ("customer.email", TemplateValue.Text("jan@example.cz")),
            ("creditChange.reason", TemplateValue.Text("Bonus")),
            ("customer.id", TemplateValue.Text("c-1"))));

        Assert.Equal(
            "{\n    \"z\" :\"eshop-42\",\r\n  \"credit\":   79.5 ,\n\t\"a\": [ \"jan@example.cz\",\"Bonus\"],  \"m\":{\"nested\" :  \"c-1\"}\n}\n",
            rendered);
        using var document = JsonDocument.Parse(rendered);
        Assert.Equal(["z", "credit", "a", "m"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("C:\\temp", "C:\\\\temp")]
    [InlineData("line1\nline2", "line1\\nline2")]
    [InlineData("a\r\n\tb", "a\\r\\n\\tb")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("nul\0", "nul\\u0000")]
    [InlineData("\b\f", "\\b\\f")]
    [InlineData("del\u007F", "del\\u007F")]
    [InlineData("js\u2028\u2029", "js\\u2028\\u2029")]
    [InlineData("Čeněk Žluťoučký kůň", "Čeněk Žluťoučký kůň")]
    [InlineData("emoji 😀", "emoji 😀")]
    [InlineData("<a href='x'>&amp;</a>", "<a href='x'>&amp;</a>")]
    [InlineData("", "")]
    public void a_value_inside_a_json_string_is_json_escaped_and_keeps_readable_letters(string value, string expected)
    {
        var template = ParseBody("""{"note": "[#v#]"}""");

        var rendered = template.Render(Values(("v", TemplateValue.Text(value))));

        Assert.Equal("{\"note\": \"[" + expected + "]\"}", rendered);
        using var document = JsonDocument.Parse(rendered);
        Assert.Equal($"[{value}]", document.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public void a_lone_surrogate_becomes_the_replacement_character()
    {
        var template = ParseBody("""{"note": "#v#"}""");

        var rendered = template.Render(Values(("v", TemplateValue.Text("a\uD800b\uDC00"))));

        Assert.Equal("{\"note\": \"a\uFFFDb\uFFFD\"}", rendered);
    }

    [Theory]
    [InlineData("79.5")]
    [InlineData("-20.5")]
    [InlineData("1234567.89")]
    [InlineData("0")]
    [InlineData("100.00")]
    public void a_number_standing_as_a_whole_value_renders_as_a_json_number(string number)
    {
        var template = ParseBody("""{"credit": #c#}""");

        var rendered = template.Render(Values(("c", TemplateValue.Number(decimal.Parse(number, CultureInfo.InvariantCulture)))));

        Assert.Equal($$"""{"credit": {{number}}}""", rendered);
        using var document = JsonDocument.Parse(rendered);
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("credit").ValueKind);
    }

    [Fact]
    public void numbers_render_in_invariant_culture_under_a_culture_with_a_decimal_comma()
    {
        var template = ParseBody("""{"credit": #c#, "text": "#c#"}""");
        var values = Values(("c", TemplateValue.Number(1234567.89m)));

        var rendered = CzechNumberCulture.Run(() => template.Render(values));

        Assert.Equal("""{"credit": 1234567.89, "text": "1234567.89"}""", rendered);
    }

    [Fact]
    public void text_standing_as_a_whole_value_renders_as_an_escaped_json_string()
    {
        var template = ParseBody("""{"id": #id#}""");

        var rendered = template.Render(Values(("id", TemplateValue.Text("a\"b č"))));

        Assert.Equal("""{"id": "a\"b č"}""", rendered);
    }

    [Fact]
    public void a_number_inside_a_json_string_renders_as_its_digits()
    {
        var template = ParseBody("""{"text": "credit #c# CZK"}""");

        Assert.Equal("""{"text": "credit -20.5 CZK"}""", template.Render(Values(("c", TemplateValue.Number(-20.5m)))));
    }

    [Fact]
    public void a_missing_variable_renders_as_an_empty_string_value_when_standing_as_a_whole_value()
    {
        var template = ParseBody("""{"credit": #c#, "list": [#c#]}""");

        var rendered = template.Render(NoValues);

        Assert.Equal("""{"credit": "", "list": [""]}""", rendered);
    }

    [Fact]
    public void a_missing_variable_renders_as_empty_text_inside_a_json_string()
    {
        var template = ParseBody("""{"note": "<#creditChange.reason#>"}""");

        Assert.Equal("""{"note": "<>"}""", template.Render(NoValues));
    }

    [Fact]
    public void placeholders_can_be_array_elements()
    {
        var template = ParseBody("""[#a#, #b#,"#c#" , #missing#]""");

        var rendered = template.Render(Values(
            ("a", TemplateValue.Number(1.5m)), ("b", TemplateValue.Text("x")), ("c", TemplateValue.Text("y"))));

        Assert.Equal("""[1.5, "x","y" , ""]""", rendered);
    }

    [Fact]
    public void placeholders_can_be_deep_in_nested_objects()
    {
        var template = ParseBody("""{"a":{"b":{"c":#v#,"d":[{"e":"#v#"}]}}}""");

        var rendered = template.Render(Values(("v", TemplateValue.Number(7m))));

        Assert.Equal("""{"a":{"b":{"c":7,"d":[{"e":"7"}]}}}""", rendered);
    }

    [Theory]
    [InlineData("#v#", "42")]
    [InlineData("  #v#\n", "  42\n")]
    [InlineData("\"#v#\"", "\"42\"")]
    public void a_placeholder_can_be_the_whole_document(string text, string expected)
    {
        var template = ParseBody(text);

        Assert.Equal(expected, template.Render(Values(("v", TemplateValue.Number(42m)))));
    }

    [Fact]
    public void a_text_placeholder_as_the_whole_document_renders_as_a_json_string()
    {
        Assert.Equal("\"hi\"", ParseBody("#v#").Render(Values(("v", TemplateValue.Text("hi")))));
    }

    [Fact]
    public void a_placeholder_inside_a_key_string_is_replaced_as_text()
    {
        var template = ParseBody("""{"#k#": 1}""");

        Assert.Equal("""{"name\"x": 1}""", template.Render(Values(("k", TemplateValue.Text("name\"x")))));
    }

    [Fact]
    public void escaped_quotes_do_not_end_a_string_so_a_placeholder_after_them_is_still_inside()
    {
        var template = ParseBody("""{"a": "say \"#x#\"", "b": #x#}""");

        var rendered = template.Render(Values(("x", TemplateValue.Text("q"))));

        Assert.Equal("""{"a": "say \"q\"", "b": "q"}""", rendered);
    }

    [Fact]
    public void an_escaped_backslash_before_a_quote_ends_the_string_so_a_later_placeholder_is_a_value()
    {
        var template = ParseBody("""{"a": "\\", "b": #y#}""");

        var rendered = template.Render(Values(("y", TemplateValue.Text("v"))));

        Assert.Equal("""{"a": "\\", "b": "v"}""", rendered);
        using var _ = JsonDocument.Parse(rendered);
    }

    [Fact]
    public void rendering_stays_valid_json_whatever_the_values()
    {
        var template = ParseBody("""{"s": "x #v# y", "v": #v#, "k": {"#v#": [#v#]}}""");
        const string nasty = "\"}], \"injected\": true, {\\\u0001\n#v#";

        var rendered = template.Render(Values(("v", TemplateValue.Text(nasty))));

        using var document = JsonDocument.Parse(rendered);
        var root = document.RootElement;
        Assert.Equal($"x {nasty} y", root.GetProperty("s").GetString());
        Assert.Equal(nasty, root.GetProperty("v").GetString());
        Assert.Equal(nasty, root.GetProperty("k").GetProperty(nasty)[0].GetString());
        Assert.False(root.TryGetProperty("injected", out _));
    }

    [Fact]
    public void a_body_larger_than_the_stack_buffer_renders_completely()
    {
        string filler = new('x', 2000);
        var template = ParseBody($$"""{"filler": "{{filler}}", "v": #v#, "s": "#v#"}""");
        string value = string.Concat(Enumerable.Repeat("ab\"č\n", 1000));
        string escaped = string.Concat(Enumerable.Repeat("ab\\\"č\\n", 1000));

        var rendered = template.Render(Values(("v", TemplateValue.Text(value))));

        Assert.Equal($$"""{"filler": "{{filler}}", "v": "{{escaped}}", "s": "{{escaped}}"}""", rendered);
    }

    [Fact]
    public void a_template_can_be_rendered_many_times_with_different_values()
    {
        var template = ParseBody("""{"v": #v#}""");

        Assert.Equal("""{"v": 1}""", template.Render(Values(("v", TemplateValue.Number(1m)))));
        Assert.Equal("""{"v": "two"}""", template.Render(Values(("v", TemplateValue.Text("two")))));
        Assert.Equal("""{"v": ""}""", template.Render(NoValues));
    }

    [Fact]
    public void variable_names_are_distinct_in_order_of_first_appearance()
    {
        var template = ParseBody("""{"a": "#b# #a#", "c": #b#, "d": [#c#, "#a#"]}""");

        Assert.Equal(["b", "a", "c"], template.VariableNames);
    }
}

using Ellity.Webhooks.Templating;

namespace Ellity.Tests.Webhooks.Templating;

internal static class TemplateTestData
{
    public static IReadOnlyDictionary<string, TemplateValue> Values(params (string Name, TemplateValue Value)[] pairs)
    {
        var values = new Dictionary<string, TemplateValue>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs) values[name] = value;
        return values;
    }

    public static IReadOnlyDictionary<string, TemplateValue> NoValues { get; } = Values();

    public static BodyTemplate ParseBody(string text)
    {
        Assert.True(BodyTemplate.TryParse(text, out var template, out var error), error?.Message);
        Assert.Null(error);
        return template!;
    }

    public static TemplateError ParseBodyError(string text)
    {
        Assert.False(BodyTemplate.TryParse(text, out var template, out var error));
        Assert.Null(template);
        return error!;
    }
}

namespace Ellity.Host;

internal static class Defaults
{
    /// <summary>The PostgreSQL that <c>./run.sh</c> provisions; a ConnectionStrings:Ellity setting overrides it.</summary>
    public const string ConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=ellity";
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>
/// Drives the sign-in page's forms over HTTP the way a browser does: reads the antiforgery token from <c>/signin</c>, then
/// posts the form with the antiforgery cookie the client kept.
/// </summary>
internal static partial class SignInForms
{
    /// <summary>A client that keeps cookies and does not follow redirects (tests look at each Location).</summary>
    public static HttpClient Client(WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Posts the password form; returns the answer (a redirect).</summary>
    public static async Task<HttpResponseMessage> PasswordAsync(HttpClient client, string user, string password, string? returnUrl = "/")
    {
        var token = await TokenAsync(client);
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["username"] = user, ["password"] = password };
        if (returnUrl is not null)
        {
            fields["ReturnUrl"] = returnUrl;
        }

        return await client.PostAsync("/signin", new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
    }

    /// <summary>Posts the badge form; returns the answer (a redirect).</summary>
    public static async Task<HttpResponseMessage> BadgeAsync(HttpClient client, string badge, string returnUrl = "/")
    {
        var token = await TokenAsync(client);
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["badge"] = badge, ["ReturnUrl"] = returnUrl };
        return await client.PostAsync("/signin/badge", new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
    }

    /// <summary>Signs in by password and fails the test unless the station redirected away from the sign-in page.</summary>
    public static async Task<HttpClient> SignedInAsync(WebApplicationFactory<Program> factory, string user, string password)
    {
        var client = Client(factory);
        var answer = await PasswordAsync(client, user, password);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>The antiforgery token of the sign-in page's forms (the client keeps the matching cookie).</summary>
    public static async Task<string> TokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/signin", TestContext.Current.CancellationToken);
        return TokenIn(html);
    }

    /// <summary>The first antiforgery token field's value in <paramref name="html"/>.</summary>
    public static string TokenIn(string html)
    {
        var match = TokenField().Match(html);
        Assert.True(match.Success, "The sign-in page holds no antiforgery token field.");
        return WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
    }

    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken""")]
    private static partial Regex TokenField();
}

/// <summary>Keeps every log message of a host, to find what the station printed once.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>The messages so far, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(formatter(state, exception));
    }
}

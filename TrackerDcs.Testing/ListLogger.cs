using Microsoft.Extensions.Logging;

namespace TrackerDcs.Testing;

/// <summary>Keeps what was logged, so a test can assert that nothing went unexpectedly wrong.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Text)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Entries
    {
        get { lock (_entries) return _entries.ToList(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add((logLevel, formatter(state, exception) + (exception is null ? "" : $": {exception}")));
    }
}

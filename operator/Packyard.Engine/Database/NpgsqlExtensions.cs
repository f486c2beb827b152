using System.Globalization;
using Npgsql;

namespace Packyard.Engine.Database;

/// <summary>Small helpers for positional-parameter SQL ($1, $2, …) used throughout the engine and the content app.</summary>
public static class NpgsqlExtensions
{
    /// <summary>Adds positional parameters in order; null becomes SQL NULL.</summary>
    public static NpgsqlCommand AddParameters(this NpgsqlCommand command, params object?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    public static async Task ExecuteAsync(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection).AddParameters(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection).AddParameters(parameters);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return (T)Convert.ChangeType(result!, typeof(T), CultureInfo.InvariantCulture);
    }
}

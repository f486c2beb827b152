using Packyard.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class OperatorRolesTests
{
    [Theory]
    [InlineData(new string[0], true, true, true)]
    [InlineData(new[] { "controller,worker" }, true, true, false)]
    [InlineData(new[] { "content" }, false, false, true)]
    [InlineData(new[] { "controller", "worker", "content" }, true, true, true)]
    [InlineData(new[] { " worker , controller " }, true, true, false)]
    [InlineData(new[] { "controller" }, true, false, false)]
    [InlineData(new[] { "worker" }, false, true, false)]
    [InlineData(new[] { "worker,content" }, false, true, true)]
    [InlineData(new[] { "controller", "content" }, true, false, true)]
    public void Roles_are_read_from_repeated_and_comma_separated_values(string[] values, bool controller, bool worker, bool content)
    {
        Assert.Equal(new OperatorRoles(controller, worker, content), OperatorRoles.Parse(values, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("reconciler", "unknown role 'reconciler'")]
    public void Unsupported_role_sets_are_refused_with_the_reason(string value, string message)
    {
        Assert.Null(OperatorRoles.Parse([value], out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_command_exits_2_on_a_task_timeout_shorter_than_the_heartbeat_before_touching_anything()
    {
        var (exitCode, output) = await PackyardProcess.RunToCompletionAsync(Path.GetTempPath(), "operator", "--roles", "worker",
            "--task-heartbeat", "10s", "--task-timeout", "5s", "--database", "Host=/nonexistent");
        Assert.Equal(2, exitCode);
        Assert.Contains("--task-timeout must exceed --task-heartbeat", output, StringComparison.Ordinal);
    }
}

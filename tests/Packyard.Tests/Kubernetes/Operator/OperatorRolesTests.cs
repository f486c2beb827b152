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
    public void Roles_are_read_from_repeated_and_comma_separated_values(string[] values, bool controller, bool worker, bool content)
    {
        Assert.Equal(new OperatorRoles(controller, worker, content), OperatorRoles.Parse(values, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("controller", "controller and worker must run together")]
    [InlineData("worker,content", "controller and worker must run together")]
    [InlineData("reconciler", "unknown role 'reconciler'")]
    public void Unsupported_role_sets_are_refused_with_the_reason(string value, string message)
    {
        Assert.Null(OperatorRoles.Parse([value], out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_command_exits_2_on_a_controller_without_worker_before_touching_anything()
    {
        var (exitCode, output) = await PackyardProcess.RunToCompletionAsync(Path.GetTempPath(), "operator", "--roles", "controller", "--kubeconfig", "/nonexistent");
        Assert.Equal(2, exitCode);
        Assert.Contains("--role: controller and worker must run together", output, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using k8s;
using k8s.Models;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.CommandLine;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Deploy;

/// <summary>
/// deploy/k8s as Kubernetes would get it: rendered by `kubectl kustomize` (Debian's kubernetes-client, which
/// .ci/run installs where kubectl is missing) and read back with the Kubernetes client's own model, then checked
/// for what the cluster depends on: the labels discovery selects, the management port and the probes on it, the
/// role that lets pods list pods, the image's user, the run folder on a volume, TLS from a Secret, and memory
/// requests that hold what rnn-cluster estimates for the job.
/// </summary>
public class KubernetesManifestTests
{
    /// <summary>What the runtime, Akka and the endpoints hold before a job's arrays: about 150 MB measured with the example; counted as 160 MiB.</summary>
    private const double RuntimeBytes = 160 * 1024 * 1024;

    /// <summary>deploy/Dockerfile's USER $APP_UID: the .NET images' app user.</summary>
    private const long ImageUser = 1654;

    private static readonly Lazy<IReadOnlyList<object>> Rendered = new(Render);

    private static V1Job Coordinator => Rendered.Value.OfType<V1Job>().Single();

    private static V1Deployment Workers => Rendered.Value.OfType<V1Deployment>().Single();

    private static IEnumerable<(string Name, V1PodSpec Spec, IDictionary<string, string> Labels)> PodTemplates =>
    [
        ("coordinator", Coordinator.Spec.Template.Spec, Coordinator.Spec.Template.Metadata.Labels),
        ("worker", Workers.Spec.Template.Spec, Workers.Spec.Template.Metadata.Labels),
    ];

    [Fact]
    public void Every_pod_carries_the_label_its_discovery_selects_and_is_found_on_its_management_port()
    {
        foreach (var (name, spec, labels) in PodTemplates)
        {
            var container = Assert.Single(spec.Containers);
            var environment = Environment(container);
            Assert.Equal(KubernetesPods.Name, environment["RNN_DISCOVERY"]);
            var selector = environment["RNN_POD_LABEL"].Split('=');
            Assert.True(labels.TryGetValue(selector[0], out var value) && value == selector[1], $"{name}: pods lack the label {selector[0]}={selector[1]}");
            var management = Assert.Single(container.Ports, port => port.Name == NodeDiscovery.ManagementPortName);
            Assert.Equal(int.Parse(environment["RNN_MANAGEMENT_PORT"], System.Globalization.CultureInfo.InvariantCulture), management.ContainerPort);
            Assert.Equal("status.podIP", Assert.Single(container.Env, e => e.Name == "RNN_PUBLIC_HOST").ValueFrom.FieldRef.FieldPath);
            Assert.Equal(environment["RNN_PORT"], Assert.Single(container.Ports, port => port.Name == "remoting").ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

            // The programs' own parser takes the environment as given (TLS aside: its files exist only in the pod).
            var node = NodeFlags.Read(ParsedArgs.Parse(new CommandSpec("node", null, "", NodeFlags.Specs(0, "")), [],
                variable => variable.StartsWith("RNN_TLS_", StringComparison.Ordinal) ? null : environment.GetValueOrDefault(variable)), 0);
            Assert.Equal(new KubernetesPods(KubernetesPods.DefaultLabelSelector), node.Discovery);
            Assert.Equal(management.ContainerPort, node.ManagementPort);
        }
    }

    [Fact]
    public void Liveness_and_readiness_probe_the_health_endpoints_on_the_management_port()
    {
        foreach (var (_, spec, _) in PodTemplates)
        {
            var container = Assert.Single(spec.Containers);
            Assert.Equal((ManagementServer.AlivePath, NodeDiscovery.ManagementPortName), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
            Assert.Equal((ManagementServer.ReadyPath, NodeDiscovery.ManagementPortName), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
        }
    }

    [Fact]
    public void The_pods_service_account_may_list_pods_in_their_namespace_and_nothing_more()
    {
        var account = Rendered.Value.OfType<V1ServiceAccount>().Single();
        var role = Rendered.Value.OfType<V1Role>().Single();
        var binding = Rendered.Value.OfType<V1RoleBinding>().Single();
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(("ServiceAccount", account.Metadata.Name), (Assert.Single(binding.Subjects).Kind, binding.Subjects[0].Name));
        Assert.All(PodTemplates, pod => Assert.Equal(account.Metadata.Name, pod.Spec.ServiceAccountName));
        Assert.All(Rendered.Value.OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal(Rendered.Value.OfType<V1Namespace>().Single().Metadata.Name, o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Pods_run_the_compose_image_as_its_non_root_user_and_read_tls_from_a_secret()
    {
        Assert.Contains("USER $APP_UID", File.ReadAllText(Repository.File("deploy/Dockerfile")));
        foreach (var (name, spec, _) in PodTemplates)
        {
            Assert.True(spec.SecurityContext.RunAsNonRoot, name);
            Assert.Equal(ImageUser, spec.SecurityContext.RunAsUser);
            var container = Assert.Single(spec.Containers);
            Assert.Equal("rnn-cluster:local", container.Image);
            // args, not command: the image's entry point runs first.
            Assert.Null(container.Command);
            var environment = Environment(container);
            foreach (var file in new[] { environment["RNN_TLS_CERT"], environment["RNN_TLS_CA"] })
            {
                var mount = Assert.Single(container.VolumeMounts, m => file.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
                var secret = Assert.Single(spec.Volumes, v => v.Name == mount.Name).Secret;
                Assert.Contains(secret.Items, item => item.Path == Path.GetFileName(file));
            }
            Assert.Equal("rnn-cluster-tls", Assert.Single(container.Env, e => e.Name == "RNN_TLS_PASSWORD").ValueFrom.SecretKeyRef.Name);
        }
    }

    [Fact]
    public void The_coordinator_is_a_job_whose_rerun_resumes_its_run_folder_on_a_persistent_volume()
    {
        var spec = Coordinator.Spec.Template.Spec;
        Assert.Equal("OnFailure", spec.RestartPolicy);
        var container = Assert.Single(spec.Containers);
        var runs = Assert.Single(container.VolumeMounts, m => m.MountPath == "/runs");
        var claim = Assert.Single(spec.Volumes, v => v.Name == runs.Name).PersistentVolumeClaim.ClaimName;
        Assert.Equal(claim, Rendered.Value.OfType<V1PersistentVolumeClaim>().Single().Metadata.Name);
        var script = string.Join(" ", container.Args);
        Assert.Contains("--resume /runs/passengers", script);
        Assert.Contains("--out /runs/passengers", script);
        Assert.Contains("-d /runs/passengers/checkpoints", script);
        Assert.Equal(Workers.Spec.Selector.MatchLabels, Workers.Spec.Template.Metadata.Labels);
    }

    [Fact]
    public void Memory_requests_hold_the_runtime_and_what_rnn_cluster_estimates_for_the_job()
    {
        var script = string.Join(" ", Assert.Single(Coordinator.Spec.Template.Spec.Containers).Args);
        const string imageConfig = "/examples/passengers/config.json";
        Assert.Contains($"--config {imageConfig}", script);
        Assert.Contains("COPY examples /examples", File.ReadAllText(Repository.File("deploy/Dockerfile")));
        var config = ConfigLoader.Load(Repository.File(imageConfig.TrimStart('/')));
        var network = new Network(config.Model);
        foreach (var (name, spec, _) in PodTemplates)
        {
            var request = Assert.Single(spec.Containers).Resources.Requests["memory"].ToDouble();
            // The coordinator's arrays, and for a worker those of a worker as well (local mode's sum: more than one worker needs).
            int workers = name == "worker" ? 1 : 0;
            DatasetLoader.Load(config, size => MemoryBudget.Require(config, network, size, workers, 1, request - RuntimeBytes));
        }
    }

    private static Dictionary<string, string> Environment(V1Container container) =>
        container.Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);

    private static IReadOnlyList<object> Render()
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.GetDirectoryName(Repository.File("deploy/k8s/kustomization.yaml"))!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kubectl = Process.Start(start)!;
        var yaml = kubectl.StandardOutput.ReadToEndAsync();
        var errors = kubectl.StandardError.ReadToEndAsync();
        Assert.True(kubectl.WaitForExit(60_000), "kubectl kustomize did not finish within a minute");
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize failed: {errors.Result}");
        return KubernetesYaml.LoadAllFromString(yaml.Result);
    }
}

using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Hosting;
using TrackerDcs.Web.Security;

// One executable: the stand's process, and its administration commands.
return args switch
{
    ["users", .. var rest] => UsersCli.Run(rest, Settings.Build([])),
    ["healthcheck", .. var rest] => await HealthCheckCli.RunAsync(rest, Settings.Build([])),
    ["julabo", .. var rest] => await JulaboCli.RunAsync(rest, Console.Out),
    _ => await TrackerDcsHost.RunAsync(args),
};

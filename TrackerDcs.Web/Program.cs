using TrackerDcs.Web.Common;
using TrackerDcs.Hardware.Julabo;
using TrackerDcs.Web.Health;
using TrackerDcs.Web.Hosting;
using TrackerDcs.Web.Procedures;
using TrackerDcs.Web.Runs;
using TrackerDcs.Web.Security;
using TrackerDcs.Web.Simulation;
using TrackerDcs.Web.Trends;

// One executable: the stand's process, and its administration commands.
return args switch
{
    ["users", .. var rest] => UsersCli.Run(rest, Settings.Build([])),
    ["healthcheck", .. var rest] => await HealthCheckCli.RunAsync(rest, Settings.Bind<EndpointOptions>(Settings.Build([]), "Endpoints").HttpsPort),
    ["procedure", .. var rest] => ProcedureCli.Run(rest, Settings.Build([]), Console.Out, Console.Error),
    ["julabo", .. var rest] => await JulaboCli.RunAsync(rest, Console.Out),
    ["fake-ph2acf", .. var rest] => await FakePh2Acf.RunAsync(rest, Console.Out, Console.Error),
    ["simulate", .. var rest] => await SimulateCli.RunAsync(rest, Console.In, Console.Out),
    ["demo-history", .. var rest] => await DemoHistoryCli.RunAsync(rest, Settings.Build([]), Console.Out, Console.Error),
    _ => await TrackerDcsHost.RunAsync(args),
};

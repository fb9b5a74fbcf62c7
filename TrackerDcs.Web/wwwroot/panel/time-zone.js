// The browser's time zone, in which the panel shows every time (Panel/Services/PanelClock.cs asks for it once per
// circuit; live-feed.js labels the time the connection was lost with it).
window.trackerDcs = window.trackerDcs || {};
window.trackerDcs.timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// As the panel labels times: the zone's name, or "UTC" for the zones that are UTC by another name (as PanelClock does).
window.trackerDcs.timeZoneLabel = () => {
    const zone = window.trackerDcs.timeZone();
    return /^(Etc\/)?(UTC|UCT|GMT|GMT0|Universal|Zulu|Greenwich)$/i.test(zone) ? 'UTC' : zone;
};

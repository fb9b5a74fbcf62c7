// Starts Blazor with quick reconnection, and marks the page as not current while its connection to the stand is lost:
// the page then shows what it last received, so it says since when (body.feed-lost in panel.css; the notice is in App.razor).
(() => {
    const notice = document.getElementById('components-reconnect-modal');
    let lostAt = null;

    function markLost(lost) {
        document.body.classList.toggle('feed-lost', lost);
        notice.hidden = !lost;
        if (!lost) {
            lostAt = null;
            return;
        }
        lostAt ??= new Date();
        // As PanelClock.Caption writes it: the browser's time of day and zone.
        const caption = lostAt.toLocaleTimeString('en-GB', { hourCycle: 'h23' }) + ' ' + window.trackerDcs.timeZoneLabel();
        document.querySelectorAll('.feed-lost-since').forEach(e => e.textContent = caption);
    }

    // Blazor sets classes and the countdown on the notice itself and tells its state with this event.
    notice.addEventListener('components-reconnect-state-changed', event => {
        switch (event.detail.state) {
            case 'show':
            case 'retrying':
            case 'failed':
            case 'paused':
            case 'resume-failed':
                markLost(true);
                break;
            case 'hide':
                markLost(false);
                break;
            case 'rejected':
                // The stand answered but no longer knows this page's circuit (it was restarted): a new page gets a new one.
                location.reload();
                break;
        }
    });

    Blazor.start({
        circuit: {
            reconnectionOptions: {
                // Blazor's default spends ten attempts at once, then waits 5 s, then 30 s between attempts, and gives up after
                // 30: a panel left open on a control-room screen came back long after the stand, or never. Here it tries at once, after 1 s, then every 2 s, for as
                // long as the page is open (one refused connection every 2 s costs the stand nothing).
                maxRetries: undefined,
                retryIntervalMilliseconds: attempt => Math.min(attempt, 2) * 1000,
            },
        },
    });
})();

// The annunciator's browser side (Panel/Components/Annunciator.razor): the count of alarms waiting for an
// acknowledgement in front of the tab's title, the optional alarm tone, generated with WebAudio (no audio file), and the
// optional browser notification (the Notification API), each for a new major alarm and each switched in this browser.
window.trackerDcs = window.trackerDcs || {};
window.trackerDcs.annunciator = (() => {
    const soundKey = 'trackerdcs.alarm-sound';
    const notificationsKey = 'trackerdcs.alarm-notifications';
    const countPrefix = /^\(\d+\) /;
    // tones: how many tones this page has played (the panel's tests read it; a headless browser has no loudspeaker).
    const api = { tones: 0 };
    let waiting = 0;
    let audio = null;

    // Each page sets its own title (PageTitle); the count is put in front of whatever title is current.
    function applyTitle() {
        const title = document.querySelector('head > title');
        if (!title) return;
        const own = title.textContent.replace(countPrefix, '');
        const wanted = waiting > 0 ? `(${waiting}) ${own}` : own;
        if (title.textContent === wanted) return;
        // Blazor updates the title through its own text node: edit that node, do not replace it (document.title would).
        if (title.childNodes.length === 1 && title.firstChild.nodeType === Node.TEXT_NODE) title.firstChild.data = wanted;
        else title.textContent = wanted;
    }
    new MutationObserver(applyTitle).observe(document.head, { subtree: true, childList: true, characterData: true });

    // Two falling tones, 0.2 s each: heard across a room, not mistaken for a notification chime.
    function tone() {
        // Browsers let a page start sound only once the user has clicked or typed in it (autoplay policy); until then
        // nothing is played, and nothing is counted.
        if (navigator.userActivation && !navigator.userActivation.hasBeenActive) return;
        audio ??= new AudioContext();
        if (audio.state === 'suspended') audio.resume();
        const start = audio.currentTime + 0.05;
        [[0, 880], [0.3, 660]].forEach(([offset, frequency]) => {
            const oscillator = audio.createOscillator();
            const gain = audio.createGain();
            oscillator.frequency.value = frequency;
            gain.gain.setValueAtTime(0.0001, start + offset);
            gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
            gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
            oscillator.connect(gain).connect(audio.destination);
            oscillator.start(start + offset);
            oscillator.stop(start + offset + 0.22);
        });
        api.tones++;
    }

    api.soundOn = () => localStorage.getItem(soundKey) === 'on';

    // Called from the toggle's click: that gesture allows the sound, and the tone played now says what to expect.
    api.setSound = on => {
        localStorage.setItem(soundKey, on ? 'on' : 'off');
        if (on) tone();
        return on;
    };

    // On only when switched on here and the browser still allows it (a permission taken back in the site's settings
    // turns the switch off, rather than leave it on and silent).
    api.notificationsOn = () => localStorage.getItem(notificationsKey) === 'on'
        && 'Notification' in window && Notification.permission === 'granted';

    // Called from the switch's click, the one moment the browser's permission is asked for (never on opening a page).
    // 'on', 'off', or why it stays off: 'denied' (blocked in the browser), 'default' (the prompt was closed),
    // 'unsupported'.
    api.setNotifications = async on => {
        if (!on) {
            localStorage.setItem(notificationsKey, 'off');
            return 'off';
        }
        if (!('Notification' in window)) return 'unsupported';
        const permission = await Notification.requestPermission();
        localStorage.setItem(notificationsKey, permission === 'granted' ? 'on' : 'off');
        return permission === 'granted' ? 'on' : permission;
    };

    // A notification for each new major alarm, shown by the operating system even when this tab is hidden; a click on
    // it brings the panel's Alarms page forward.
    function notify(text) {
        const notification = new Notification('TrackerDcs: major alarm', { body: text });
        notification.onclick = () => {
            window.focus();
            if (window.Blazor && window.Blazor.navigateTo) window.Blazor.navigateTo('/alarms');
            else location.assign('/alarms');
        };
    }

    api.update = (unacknowledged, newMajor, text) => {
        waiting = unacknowledged;
        applyTitle();
        if (newMajor && api.soundOn()) tone();
        if (newMajor && api.notificationsOn()) notify(text);
    };

    return api;
})();

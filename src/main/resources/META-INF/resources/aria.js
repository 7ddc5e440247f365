// ARIA web page: image -> emotion (POST /emotion) -> music (POST /generate/events) -> audio (POST /render). The music
// may move along an emotion arc (a second point on the plane), continue a MIDI file (the primer), and comes back with
// the emotion the service measured in it, shown beside the one asked for and over the piano roll.
// Plain browser JavaScript, no library, no request outside this service. The settings panel is built from the
// service's OpenAPI document (schema GenerateForm), so its defaults, ranges and texts are never duplicated here.

const $ = (id) => document.getElementById(id);

const INSTRUMENT_COLOURS = { drums: '--drums', guitar: '--guitar', bass: '--bass', piano: '--piano', strings: '--strings' };
/** GenerateForm properties that are not settings: the emotion comes from the image or the plane, the primer from its
 * own file input. */
const NOT_SETTINGS = new Set(['image', 'valence', 'arousal', 'image_end', 'valence_end', 'arousal_end', 'primer']);
/** Preferred order of the settings; any other property of the schema follows. */
const SETTINGS_ORDER = ['conditioning', 'gen_len', 'candidates', 'note_temperature', 'rest_temperature', 'top_p',
    'min_instruments', 'seed'];
/** Colours of the measured curve drawn over the piano roll. */
const CURVE_COLOURS = { valence: '#ffd166', arousal: '#7ee8fa' };

const state = {
    image: null,          // { blob, name }
    estimate: null,       // { valence, arousal, model } from POST /emotion
    point: { valence: 0, arousal: 0 },
    arc: false,           // the music moves from the point to the end point
    end: { valence: 0, arousal: 0 },
    primer: null,         // a MIDI File to continue
    overridden: false,    // the user moved the point away from the image's estimate
    schema: null,         // components.schemas.GenerateForm
    generation: null,     // AbortController of the running generation
    imageTicket: 0,       // the latest image chosen; older estimates arriving late are dropped
    result: null,         // data of the last result event
    urls: [],             // object URLs to revoke when replaced
    progressEvents: 0,
};

// --- problems --------------------------------------------------------------------------------------------------------

/** The RFC 9457 body of a failed response, or a stand-in that says what happened. */
async function problemOf(response) {
    const type = response.headers.get('content-type') || '';
    if (type.includes('json')) {
        try {
            const body = await response.json();
            if (body && typeof body.detail === 'string') {
                const retry = response.headers.get('retry-after');
                return retry && response.status === 503 ? { ...body, retryAfter: retry } : body;
            }
        } catch (e) { /* fall through */ }
    }
    return {
        status: response.status, title: response.statusText || 'Error',
        detail: `The service answered ${response.status} ${response.statusText || ''} without an explanation.`.replace(' .', '.'),
    };
}

function networkProblem(error) {
    return { title: 'Service unreachable', detail: `The ARIA service could not be reached (${error.message}). Check your connection and that the service is running, then try again.` };
}

function showError(id, problem) {
    const box = $(id);
    box.textContent = '';
    const title = document.createElement('strong');
    title.textContent = problem.title || 'Error';
    box.append(title, document.createTextNode(problem.detail));
    if (problem.retryAfter) {
        box.append(document.createTextNode(` (The service suggests waiting ${problem.retryAfter} s.)`));
    }
    box.hidden = false;
}

function clearError(id) {
    $(id).hidden = true;
    $(id).textContent = '';
}

function setMainState(name) {
    $('main').dataset.state = name;
}

// --- examples gallery (credits from examples/README.md, the single source) ------------------------------------------

function parseExamplesReadme(text) {
    const rows = text.split('\n').filter((l) => l.trim().startsWith('|'))
        .map((l) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
    if (rows.length < 3) {
        return { items: [], source: '' };
    }
    const keys = rows[0].map((k) => k.toLowerCase().replace(/\s*\(.*\)/, ''));
    const items = rows.slice(2).map((cells) => Object.fromEntries(keys.map((k, i) => [k, (cells[i] || '').replace(/`/g, '')])))
        .filter((item) => /^[\w.-]+\.(jpe?g|png|webp|gif)$/i.test(item.file));
    const source = text.split(/\n\s*\n/).find((p) => /^Source of the files/i.test(p.trim())) || '';
    return { items, source: source.trim() };
}

/** Inline `code` spans of a README sentence, as DOM nodes (no HTML parsing of fetched text). */
function inlineMarkdown(text) {
    const nodes = [];
    text.replace(/\s+/g, ' ').split(/(`[^`]+`)/).forEach((part) => {
        if (part.startsWith('`') && part.endsWith('`')) {
            const code = document.createElement('code');
            code.textContent = part.slice(1, -1);
            nodes.push(code);
        } else if (part) {
            nodes.push(document.createTextNode(part));
        }
    });
    return nodes;
}

async function loadGallery() {
    const gallery = $('gallery');
    let parsed;
    try {
        const response = await fetch('examples/README.md');
        if (!response.ok) {
            throw new Error(`HTTP ${response.status}`);
        }
        parsed = parseExamplesReadme(await response.text());
    } catch (e) {
        $('credits').textContent = `The example paintings could not be listed (${e.message}).`;
        return;
    }
    for (const item of parsed.items) {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'example';
        button.dataset.file = item.file;
        button.setAttribute('aria-pressed', 'false');
        const img = document.createElement('img');
        img.src = `examples/${item.file}`;
        img.alt = '';
        img.loading = 'lazy';
        const title = document.createElement('span');
        title.className = 'title';
        title.textContent = item.title;
        const credit = document.createElement('span');
        credit.className = 'credit';
        credit.textContent = [item.artist, item.year].filter(Boolean).join(', ') + (item.status ? ` · ${item.status}` : '');
        button.append(img, title, credit);
        button.setAttribute('aria-label', `${item.title} by ${item.artist}, ${item.year}: use this painting`);
        button.addEventListener('click', () => useExample(item, button));
        li.append(button);
        gallery.append(li);
    }
    const credits = $('credits');
    credits.textContent = 'Photographs of public-domain paintings, shipped with the service. ';
    credits.append(...inlineMarkdown(parsed.source));
}

async function useExample(item, button) {
    clearError('image-error');
    try {
        const response = await fetch(`examples/${item.file}`);
        if (!response.ok) {
            throw new Error(`HTTP ${response.status}`);
        }
        const blob = await response.blob();
        await useImage(blob, item.file, `${item.title} — ${item.artist}, ${item.year}`);
        document.querySelectorAll('.example').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
    } catch (e) {
        showError('image-error', { title: 'Example unavailable', detail: `The painting could not be loaded (${e.message}).` });
    }
}

// --- image upload ----------------------------------------------------------------------------------------------------

function setupUpload() {
    const zone = $('dropzone');
    const input = $('file');
    input.addEventListener('change', () => {
        if (input.files && input.files[0]) {
            pickFile(input.files[0]);
        }
        input.value = '';
    });
    ['dragenter', 'dragover'].forEach((type) => zone.addEventListener(type, (e) => {
        e.preventDefault();
        zone.classList.add('dragging');
    }));
    ['dragleave', 'dragend'].forEach((type) => zone.addEventListener(type, () => zone.classList.remove('dragging')));
    zone.addEventListener('drop', (e) => {
        e.preventDefault();
        zone.classList.remove('dragging');
        const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (file) {
            pickFile(file);
        }
    });
    // an image dropped anywhere on the page is used too, instead of the browser navigating away to it
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
        if (zone.contains(e.target)) {
            return;
        }
        e.preventDefault();
        const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (file) {
            pickFile(file);
        }
    });
    document.addEventListener('paste', (e) => {
        const file = [...(e.clipboardData ? e.clipboardData.files : [])].find((f) => f.type.startsWith('image/'));
        if (file && !(e.target instanceof HTMLInputElement)) {
            pickFile(file);
        }
    });
}

function pickFile(file) {
    document.querySelectorAll('.example').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    useImage(file, file.name, `${file.name} (${formatBytes(file.size)})`);
}

async function useImage(blob, name, caption) {
    clearError('image-error');
    clearError('emotion-error');
    const url = URL.createObjectURL(blob);
    const preview = $('preview');
    preview.onload = () => URL.revokeObjectURL(url);
    preview.src = url;
    preview.alt = `Preview of ${caption}`;
    preview.hidden = false;
    $('dropzone').classList.add('has-image');
    $('image-caption').textContent = `Estimating the emotion of ${caption}…`;
    state.image = null;
    state.estimate = null;
    const ticket = ++state.imageTicket;
    setMainState('estimating');
    $('generate').disabled = true;
    const form = new FormData();
    form.append('image', blob, name);
    let response;
    let estimate;
    try {
        response = await fetch('emotion', { method: 'POST', body: form, headers: { Accept: 'application/json' } });
        estimate = response.ok ? await response.json() : await problemOf(response);
    } catch (e) {
        response = null;
        estimate = networkProblem(e);
    } finally {
        if (ticket === state.imageTicket && !state.generation) {
            $('generate').disabled = false;
        }
    }
    if (ticket !== state.imageTicket) {
        return; // another image was chosen meanwhile
    }
    if (!response || !response.ok) {
        failImage(estimate);
        return;
    }
    state.image = { blob, name };
    state.estimate = estimate;
    state.overridden = false;
    setPoint(estimate.valence, estimate.arousal);
    $('image-caption').textContent = '';
    const strong = document.createElement('strong');
    strong.textContent = caption;
    $('image-caption').append(strong);
    updateEmotionText();
    setMainState('ready');
}

function failImage(problem) {
    showError('image-error', problem);
    $('image-caption').textContent = '';
    $('preview').hidden = true;
    $('preview').removeAttribute('src');
    $('dropzone').classList.remove('has-image');
    state.image = null;
    state.estimate = null;
    updateEmotionText();
    setMainState('idle');
}

function formatBytes(n) {
    return n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// --- valence-arousal plane -------------------------------------------------------------------------------------------

function quadrantOf(v, a) {
    if (Math.hypot(v, a) < 0.1) {
        return 'neutral';
    }
    if (a >= 0) {
        return v >= 0 ? 'happy / excited' : 'angry / tense';
    }
    return v >= 0 ? 'calm / relaxed' : 'sad / depressed';
}

const clamp = (x) => Math.max(-1, Math.min(1, x));
const round2 = (x) => Math.round(x * 100) / 100;

/**
 * Places the point with the id `id` (the start, or the arc's end with `suffix` '-end') at (valence, arousal), clamped
 * and rounded, with its slider attributes, its number boxes (unless one is being typed in) and its quadrant; returns
 * where it went.
 */
function place(id, suffix, valence, arousal) {
    const v = round2(clamp(valence));
    const a = round2(clamp(arousal));
    const point = $(id);
    point.setAttribute('transform', `translate(${v} ${-a})`);
    point.setAttribute('aria-valuenow', String(v));
    point.setAttribute('aria-valuetext', `${suffix ? 'end: ' : ''}valence ${v.toFixed(2)}, arousal ${a.toFixed(2)}: ${quadrantOf(v, a)}`);
    for (const [box, value] of [[`valence${suffix}`, v], [`arousal${suffix}`, a]]) {
        if (document.activeElement !== $(box)) {
            $(box).value = value.toFixed(2);
        }
    }
    $(`quadrant${suffix}`).textContent = quadrantOf(v, a);
    return { valence: v, arousal: a };
}

function setPoint(valence, arousal) {
    state.point = place('point', '', valence, arousal);
    const v = state.point.valence;
    const a = state.point.arousal;
    drawArcLine();
    const e = state.estimate;
    const mark = $('estimate-mark');
    const line = $('override-line');
    const moved = e && (Math.abs(e.valence - v) > 0.005 || Math.abs(e.arousal - a) > 0.005);
    mark.setAttribute('visibility', moved ? 'visible' : 'hidden');
    line.setAttribute('visibility', moved ? 'visible' : 'hidden');
    if (e) {
        mark.setAttribute('cx', e.valence);
        mark.setAttribute('cy', -e.arousal);
        line.setAttribute('x1', e.valence);
        line.setAttribute('y1', -e.arousal);
        line.setAttribute('x2', v);
        line.setAttribute('y2', -a);
    }
}

/** Where the arc ends: the ring on the plane and its number boxes. */
function setEnd(valence, arousal) {
    state.end = place('point-end', '-end', valence, arousal);
    drawArcLine();
}

/** The arrow from the point to the end point, shortened so that its head stays outside the ring. */
function drawArcLine() {
    const line = $('arc-line');
    const p = state.point;
    const e = state.end;
    const length = Math.hypot(e.valence - p.valence, e.arousal - p.arousal);
    const visible = state.arc && length > 0.12;
    line.setAttribute('visibility', visible ? 'visible' : 'hidden');
    if (visible) {
        const k = (length - 0.07) / length;
        line.setAttribute('x1', p.valence);
        line.setAttribute('y1', -p.arousal);
        line.setAttribute('x2', p.valence + k * (e.valence - p.valence));
        line.setAttribute('y2', -(p.arousal + k * (e.arousal - p.arousal)));
    }
}

/** Turns the arc on or off; on, the end point starts opposite the point in arousal, where it is easy to see. */
function setArc(on) {
    state.arc = on;
    $('arc').checked = on;
    $('point-end').setAttribute('visibility', on ? 'visible' : 'hidden');
    $('point-end').setAttribute('tabindex', on ? '0' : '-1');
    $('end-inputs').hidden = !on;
    if (on && state.end.valence === 0 && state.end.arousal === 0) {
        setEnd(state.point.valence, state.point.arousal >= 0 ? -0.8 : 0.8);
    }
    drawArcLine();
}

/** The user moved the point: from now on /generate gets explicit valence and arousal. */
function override(valence, arousal) {
    state.overridden = true;
    setPoint(valence, arousal);
    updateEmotionText();
}

function updateEmotionText() {
    const e = state.estimate;
    const source = $('emotion-source');
    if (e && !state.overridden) {
        source.textContent = `Estimated from the image by ${e.model}: valence ${e.valence.toFixed(2)}, arousal ${e.arousal.toFixed(2)}. Drag the point to change it.`;
    } else if (e) {
        source.textContent = `Your choice overrides the image's estimate (valence ${e.valence.toFixed(2)}, arousal ${e.arousal.toFixed(2)}, the dashed ring).`;
    } else {
        source.textContent = 'No image: the music will carry the emotion at the point.';
    }
    $('reset-emotion').hidden = !(e && state.overridden);
    $('emotion-hint').hidden = Boolean(e);
}

function setupPlane() {
    const svg = $('plane');
    const point = $('point');
    const toPlane = (event) => {
        const box = svg.getBoundingClientRect();
        const vb = svg.viewBox.baseVal;
        return {
            v: vb.x + ((event.clientX - box.left) / box.width) * vb.width,
            a: -(vb.y + ((event.clientY - box.top) / box.height) * vb.height),
        };
    };
    let dragging = null; // 'start' or 'end'
    const move = (which, p) => (which === 'end' ? setEnd(p.v, p.a) : override(p.v, p.a));
    svg.addEventListener('pointerdown', (event) => {
        if (event.button !== 0) {
            return;
        }
        const p = toPlane(event);
        // with an arc, the pointer takes whichever point is nearer
        dragging = state.arc && Math.hypot(p.v - state.end.valence, p.a - state.end.arousal)
            < Math.hypot(p.v - state.point.valence, p.a - state.point.arousal) ? 'end' : 'start';
        svg.setPointerCapture(event.pointerId);
        move(dragging, p);
        (dragging === 'end' ? $('point-end') : point).focus({ preventScroll: true });
        event.preventDefault();
    });
    svg.addEventListener('pointermove', (event) => {
        if (dragging) {
            move(dragging, toPlane(event));
        }
    });
    const stop = () => { dragging = null; };
    svg.addEventListener('pointerup', stop);
    svg.addEventListener('pointercancel', stop);
    // each point moves with the arrow keys (Shift: bigger steps) and with its two number boxes
    const keys = (element, at, move) => element.addEventListener('keydown', (event) => {
        const step = event.shiftKey ? 0.2 : 0.05;
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step],
            Home: null };
        if (event.key in moves) {
            const here = at();
            const [dv, da] = moves[event.key] || [-here.valence, -here.arousal];
            move(here.valence + dv, here.arousal + da);
            event.preventDefault();
        }
    });
    const boxes = (valenceId, arousalId, at, move, show) => {
        for (const id of [valenceId, arousalId]) {
            $(id).addEventListener('input', () => {
                const v = parseFloat($(valenceId).value);
                const a = parseFloat($(arousalId).value);
                if (Number.isFinite(v) && Number.isFinite(a)) {
                    move(v, a);
                }
            });
            $(id).addEventListener('change', () => show(at().valence, at().arousal));
        }
    };
    keys(point, () => state.point, override);
    keys($('point-end'), () => state.end, setEnd);
    boxes('valence', 'arousal', () => state.point, override, setPoint);
    boxes('valence-end', 'arousal-end', () => state.end, setEnd, setEnd);
    $('arc').addEventListener('change', () => setArc($('arc').checked));
    $('reset-emotion').addEventListener('click', () => {
        state.overridden = false;
        setPoint(state.estimate.valence, state.estimate.arousal);
        updateEmotionText();
        point.focus();
    });
}

// --- advanced settings, from the OpenAPI document --------------------------------------------------------------------

/** Lowest value a property accepts: OpenAPI 3.1's numeric exclusiveMinimum or 3.0's boolean form. */
function lowerBound(p, step) {
    if (typeof p.exclusiveMinimum === 'number') {
        return p.exclusiveMinimum + step;
    }
    if (p.exclusiveMinimum === true && typeof p.minimum === 'number') {
        return p.minimum + step;
    }
    return p.minimum;
}

function upperBound(p, step) {
    if (typeof p.exclusiveMaximum === 'number') {
        return p.exclusiveMaximum - step;
    }
    if (p.exclusiveMaximum === true && typeof p.maximum === 'number') {
        return p.maximum - step;
    }
    return p.maximum;
}

function rangeText(p) {
    const lo = typeof p.exclusiveMinimum === 'number' ? `> ${p.exclusiveMinimum}`
        : p.exclusiveMinimum === true ? `> ${p.minimum}` : p.minimum !== undefined ? `${p.minimum}` : '';
    const hi = typeof p.exclusiveMaximum === 'number' ? `< ${p.exclusiveMaximum}` : p.maximum !== undefined ? `${p.maximum}` : '';
    const range = lo && hi ? (lo.startsWith('>') ? `${lo}, ≤ ${hi}` : `${lo} – ${hi}`) : '';
    const dflt = p.default !== undefined ? `default ${p.default}` : '';
    return [dflt, range && `range ${range}`].filter(Boolean).join('; ');
}

async function loadSettings() {
    const form = $('settings');
    let schema;
    try {
        const response = await fetch('q/openapi?format=json', { headers: { Accept: 'application/json' } });
        if (!response.ok) {
            throw new Error(`HTTP ${response.status}`);
        }
        const doc = await response.json();
        schema = doc.components && doc.components.schemas && doc.components.schemas.GenerateForm;
        if (!schema || !schema.properties) {
            throw new Error('no GenerateForm schema in the API document');
        }
    } catch (e) {
        $('settings-status').textContent = `The settings could not be loaded (${e.message}); the service's defaults apply.`;
        return;
    }
    state.schema = schema;
    form.textContent = '';
    const names = Object.keys(schema.properties)
        .filter((n) => !NOT_SETTINGS.has(n) && schema.properties[n].format !== 'binary')
        .sort((a, b) => rank(a) - rank(b));
    for (const name of names) {
        form.append(settingField(name, schema.properties[name]));
    }
    $('reset-settings').hidden = false;
}

function rank(name) {
    const i = SETTINGS_ORDER.indexOf(name);
    return i < 0 ? SETTINGS_ORDER.length : i;
}

function settingField(name, p) {
    const id = `setting-${name}`;
    const title = p.title || name;
    if (Array.isArray(p.enum)) {
        const fieldset = document.createElement('fieldset');
        fieldset.className = 'setting wide';
        fieldset.dataset.field = name;
        const legend = document.createElement('legend');
        legend.textContent = title;
        const choices = document.createElement('div');
        choices.className = 'choices';
        const explanations = p['x-enum-descriptions'] || [];
        p.enum.forEach((value, i) => {
            const label = document.createElement('label');
            label.className = 'choice';
            const radio = document.createElement('input');
            radio.type = 'radio';
            radio.name = name;
            radio.value = value;
            radio.checked = value === p.default;
            radio.dataset.default = String(value === p.default);
            const code = document.createElement('code');
            code.textContent = value;
            const explain = document.createElement('span');
            explain.className = 'explain';
            explain.textContent = explanations[i] || '';
            label.append(radio, code, explain);
            choices.append(label);
        });
        fieldset.append(legend, choices, fieldError(name));
        return fieldset;
    }
    const wrap = document.createElement('div');
    wrap.className = 'setting';
    wrap.dataset.field = name;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = title;
    const control = document.createElement('div');
    control.className = 'control';
    const integer = p.type === 'integer';
    const step = integer ? 1 : 0.01;
    const number = document.createElement('input');
    number.type = 'number';
    number.id = id;
    number.name = name;
    number.step = String(step);
    const lo = lowerBound(p, step);
    const hi = upperBound(p, step);
    if (lo !== undefined) {
        number.min = String(lo);
    }
    if (hi !== undefined) {
        number.max = String(hi);
    }
    number.value = p.default !== undefined ? String(p.default) : '';
    number.dataset.default = number.value;
    const help = document.createElement('p');
    help.className = 'help';
    help.id = `${id}-help`;
    help.textContent = p.description || '';
    number.setAttribute('aria-describedby', help.id);
    // a slider beside the box where the range is a handful of orders of magnitude at most
    if (lo !== undefined && hi !== undefined && (hi - lo) / step <= 10000) {
        const slider = document.createElement('input');
        slider.type = 'range';
        slider.min = number.min;
        slider.max = number.max;
        slider.step = number.step;
        slider.value = number.value;
        slider.tabIndex = -1; // the number box is the keyboard control; the slider is for pointers
        slider.setAttribute('aria-hidden', 'true');
        slider.addEventListener('input', () => { number.value = slider.value; markValid(name); });
        number.addEventListener('input', () => { slider.value = number.value; markValid(name); });
        control.append(slider);
    } else {
        wrap.classList.add('wide');
        number.placeholder = 'random';
        number.addEventListener('input', () => markValid(name));
    }
    control.append(number);
    const range = document.createElement('span');
    range.className = 'range';
    range.textContent = rangeText(p);
    wrap.append(label, control, help, range, fieldError(name));
    return wrap;
}

function fieldError(name) {
    const p = document.createElement('p');
    p.className = 'field-error';
    p.id = `setting-${name}-error`;
    p.hidden = true;
    return p;
}

function markValid(name) {
    const input = document.querySelector(`#settings [name="${name}"]`);
    if (input) {
        input.removeAttribute('aria-invalid');
    }
    const error = $(`setting-${name}-error`);
    if (error) {
        error.hidden = true;
    }
}

function resetSettings() {
    document.querySelectorAll('#settings input').forEach((input) => {
        if (input.type === 'radio') {
            input.checked = input.dataset.default === 'true';
        } else if (input.type === 'number') {
            input.value = input.dataset.default;
            input.dispatchEvent(new Event('input'));
        }
    });
}

/** Marks the setting (or other field) a problem names, opening the panel when it is there. */
function pointAtField(problem) {
    const fields = problem.errors ? problem.errors : problem.field ? [{ field: problem.field, detail: problem.detail }] : [];
    let first = null;
    for (const { field, detail } of fields) {
        const error = $(`setting-${field}-error`);
        if (error) {
            if ($('settings').contains(error)) {
                $('advanced').open = true;
            }
            error.textContent = detail;
            error.hidden = false;
            const input = field === 'primer' ? $('primer') : document.querySelector(`#settings [name="${field}"]`);
            if (input) {
                input.setAttribute('aria-invalid', 'true');
                first = first || input;
            }
        } else if (['valence', 'arousal', 'valence_end', 'arousal_end'].includes(field)) {
            showError('emotion-error', problem);
        } else if (field === 'image') {
            showError('image-error', problem);
        }
    }
    if (first) {
        first.focus();
    }
}

// --- generation ------------------------------------------------------------------------------------------------------

function generationForm() {
    const form = new FormData();
    if (state.image && !state.overridden) {
        form.append('image', state.image.blob, state.image.name);
    } else {
        form.append('valence', String(state.point.valence));
        form.append('arousal', String(state.point.arousal));
    }
    if (state.arc) {
        form.append('valence_end', String(state.end.valence));
        form.append('arousal_end', String(state.end.arousal));
    }
    if (state.primer) {
        form.append('primer', state.primer, state.primer.name);
    }
    const seen = new Set();
    document.querySelectorAll('#settings input').forEach((input) => {
        if (input.type === 'range' || seen.has(input.name)) {
            return;
        }
        if (input.type === 'radio') {
            const checked = document.querySelector(`#settings input[name="${input.name}"]:checked`);
            if (checked) {
                form.append(input.name, checked.value);
            }
            seen.add(input.name);
        } else if (input.value.trim() !== '') {
            form.append(input.name, input.value.trim());
            seen.add(input.name);
        }
    });
    return form;
}

/** Server-sent events of a fetch() response body: { event, data } objects. */
async function* serverSentEvents(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
        const { value, done } = await reader.read();
        if (value) {
            buffer += value.replace(/\r\n?/g, '\n');
        }
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data = [];
            for (const line of block.split('\n')) {
                if (line.startsWith('event:')) {
                    event = line.slice(6).trim();
                } else if (line.startsWith('data:')) {
                    data.push(line.slice(5).replace(/^ /, ''));
                }
            }
            if (data.length) {
                yield { event, data: data.join('\n') };
            }
        }
        if (done) {
            return;
        }
    }
}

async function generate() {
    clearError('generate-error');
    clearError('emotion-error');
    document.querySelectorAll('#settings [aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    document.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; });
    $('primer').removeAttribute('aria-invalid');
    const unreadable = [...document.querySelectorAll('#settings input[type="number"]')].filter((i) => i.validity.badInput);
    if (unreadable.length) {
        const problem = {
            title: 'Not a number',
            detail: `Enter a number in ${unreadable.map((i) => `'${i.name}'`).join(', ')}, or clear it to use the default.`,
            errors: unreadable.map((i) => ({ field: i.name, detail: 'Enter a number, or clear the box for the default.' })),
        };
        showError('generate-error', problem);
        pointAtField(problem);
        return;
    }
    const controller = new AbortController();
    state.generation = controller;
    state.progressEvents = 0;
    $('generate').disabled = true;
    $('generate').textContent = 'Composing…';
    $('cancel').hidden = false;
    $('progress-box').hidden = false;
    $('progress').value = 0;
    $('progress').max = 1;
    $('progress-text').textContent = 'Starting…';
    setMainState('generating');
    const started = performance.now();
    let result = null;
    try {
        const response = await fetch('generate/events', {
            method: 'POST', body: generationForm(), signal: controller.signal,
            headers: { Accept: 'text/event-stream' },
        });
        if (!response.ok) {
            const problem = await problemOf(response);
            showError('generate-error', problem);
            pointAtField(problem);
            setMainState('error');
            return;
        }
        for await (const { event, data } of serverSentEvents(response)) {
            const body = JSON.parse(data);
            if (event === 'progress') {
                state.progressEvents++;
                $('progress').dataset.events = String(state.progressEvents);
                $('progress').max = body.gen_len;
                $('progress').value = body.tokens;
                const seconds = Math.round((performance.now() - started) / 1000);
                $('progress-text').textContent = `${body.attempt > 1 ? `Attempt ${body.attempt} of up to ${body.max_attempts} (too few instruments played) · ` : ''}`
                    + `${body.tokens} of ${body.gen_len} tokens · ${body.seconds.toFixed(1)} s of music · ${seconds} s`;
            } else if (event === 'result') {
                result = body;
            } else if (event === 'error') {
                showError('generate-error', body);
                setMainState('error');
                return;
            }
        }
        if (!result) {
            showError('generate-error', { title: 'Incomplete answer', detail: 'The service ended the stream without a result. Try again.' });
            setMainState('error');
            return;
        }
        $('progress-text').textContent = `Composed ${result.tokens} tokens in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
        showResult(result);
    } catch (e) {
        if (e.name === 'AbortError') {
            $('progress-text').textContent = 'Cancelled.';
            setMainState(state.result ? 'done' : 'idle');
        } else {
            showError('generate-error', networkProblem(e));
            setMainState('error');
        }
    } finally {
        state.generation = null;
        $('generate').disabled = false;
        $('generate').textContent = 'Generate music';
        $('cancel').hidden = true;
    }
}

// --- result: MIDI, audio, piano roll ---------------------------------------------------------------------------------

function objectUrl(blob) {
    const url = URL.createObjectURL(blob);
    state.urls.push(url);
    return url;
}

function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
        bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
}

function showResult(result) {
    state.urls.forEach((u) => URL.revokeObjectURL(u));
    state.urls = [];
    state.result = result;
    const midi = new Blob([base64Bytes(result.midi)], { type: 'audio/midi' });
    const midiLink = $('download-midi');
    midiLink.href = objectUrl(midi);
    midiLink.download = result.file_name;
    midiLink.dataset.bytes = String(midi.size);
    midiLink.textContent = `Download MIDI (${formatBytes(midi.size)})`;
    const wavLink = $('download-wav');
    wavLink.setAttribute('aria-disabled', 'true');
    wavLink.removeAttribute('href');
    wavLink.textContent = 'Download WAV';
    delete wavLink.dataset.bytes;
    $('result').hidden = false;
    fillSummary(result);
    fillComparison(result);
    drawLegend(result);
    drawRoll(0);
    renderAudio(midi, result.file_name);
}

async function renderAudio(midi, fileName) {
    clearError('render-error');
    setMainState('rendering');
    const audio = $('audio');
    audio.removeAttribute('src');
    audio.load();
    $('audio-status').textContent = 'Synthesising the audio…';
    const form = new FormData();
    form.append('midi', midi, fileName);
    let response;
    try {
        // FLAC is lossless and about half the size of WAV: ask for it where this browser plays it
        const accept = audio.canPlayType('audio/flac') ? 'audio/flac, audio/wav;q=0.5' : 'audio/wav';
        response = await fetch('render', { method: 'POST', body: form, headers: { Accept: accept } });
    } catch (e) {
        failRender(networkProblem(e));
        return;
    }
    if (!response.ok) {
        failRender(await problemOf(response));
        return;
    }
    const flac = (response.headers.get('Content-Type') || '').startsWith('audio/flac');
    const sound = await response.blob();
    const url = objectUrl(sound);
    audio.src = url;
    const wavLink = $('download-wav');
    wavLink.href = url;
    wavLink.download = fileName.replace(/\.midi?$/i, '') + (flac ? '.flac' : '.wav');
    wavLink.dataset.bytes = String(sound.size);
    wavLink.dataset.format = flac ? 'flac' : 'wav';
    wavLink.removeAttribute('aria-disabled');
    wavLink.textContent = `Download ${flac ? 'FLAC' : 'WAV'} (${formatBytes(sound.size)})`;
    const font = response.headers.get('ARIA-SoundFont');
    $('audio-status').textContent = font === 'jdk-builtin'
        ? 'Played with the JDK\'s built-in General MIDI sounds.'
        : `Played with the ${font} General MIDI SoundFont.`;
    setMainState('done');
}

function failRender(problem) {
    showError('render-error', problem);
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'button link';
    retry.textContent = 'Synthesise the audio again';
    retry.addEventListener('click', () => {
        const r = state.result;
        renderAudio(new Blob([base64Bytes(r.midi)], { type: 'audio/midi' }), r.file_name);
    });
    $('render-error').append(document.createElement('br'), retry);
    $('audio-status').textContent = 'No audio yet: try again, or download the MIDI file and play it with any MIDI player.';
    setMainState('done');
}

/**
 * Empties the description list with the id `id` and returns a function that adds a term and its text to it, with an
 * optional element after the text and an optional class on it.
 */
function definitions(id) {
    const dl = $(id);
    dl.textContent = '';
    return (term, text, extra, cls) => {
        const div = document.createElement('div');
        const dt = document.createElement('dt');
        dt.textContent = term;
        const dd = document.createElement('dd');
        dd.textContent = text;
        if (extra) {
            dd.append(extra);
        }
        if (cls) {
            dd.className = cls;
        }
        div.append(dt, dd);
        dl.append(div);
    };
}

function fillSummary(r) {
    const add = definitions('summary');
    add('Emotion', `valence ${r.valence.toFixed(2)}, arousal ${r.arousal.toFixed(2)} (${quadrantOf(r.valence, r.arousal)})`
        + (r.valence_end !== undefined ? ` → valence ${r.valence_end.toFixed(2)}, arousal ${r.arousal_end.toFixed(2)} (${quadrantOf(r.valence_end, r.arousal_end)})` : ''));
    add('Emotion from', r.emotion_source === 'image' ? `the image (${r.emotion_model})` : 'your point');
    add('Instruments', `${r.instruments} of ${r.instrument_names.length}${r.met_minimum ? '' : ` (fewer than the ${r.min_instruments} asked for)`}`);
    add('Attempts', String(r.attempts));
    add('Length', `${(r.duration_ms / 1000).toFixed(1)} s · ${r.notes.length} notes · ${r.tokens} tokens${r.truncated ? ' (stopped at the deadline)' : ''}`);
    const reuse = document.createElement('button');
    reuse.type = 'button';
    reuse.className = 'button link';
    reuse.textContent = 'reuse';
    reuse.setAttribute('aria-label', `Reuse seed ${r.seed}`);
    reuse.addEventListener('click', () => {
        const seed = document.querySelector('#settings [name="seed"]');
        if (seed) {
            seed.value = String(r.seed);
            $('advanced').open = true;
            seed.focus();
        }
    });
    add('Seed', String(r.seed), reuse);
    add('Settings', `${r.conditioning}, top-p ${r.top_p}, temperatures ${r.note_temperature} / ${r.rest_temperature}`);
    add('Model', r.model);
}

/** A value of the emotion, or a dash where the service could not measure it. */
function num(x) {
    return typeof x === 'number' ? x.toFixed(2) : '–';
}

/**
 * The emotion asked for and the emotion the service measured in the generated music, side by side: as text and on a
 * small valence–arousal plane (asked: violet, a point or an arrow; measured: orange, the whole piece as a point and,
 * for a piece of several windows, its curve window by window).
 */
function fillComparison(r) {
    const box = $('measured');
    const marks = $('result-plane-marks');
    marks.textContent = '';
    const svg = (tag, attrs) => {
        const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
        Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, String(v)));
        marks.append(el);
        return el;
    };
    const arc = r.valence_end !== undefined;
    if (arc) {
        svg('line', { class: 'asked-line', x1: r.valence, y1: -r.arousal, x2: r.valence_end, y2: -r.arousal_end });
        svg('circle', { class: 'asked', cx: r.valence_end, cy: -r.arousal_end, r: 0.035 });
    }
    svg('circle', { class: 'asked', cx: r.valence, cy: -r.arousal, r: 0.05 });
    const curve = (r.measured_curve || []).filter((w) => typeof w.valence === 'number' && typeof w.arousal === 'number');
    if (curve.length > 1) {
        svg('polyline', { class: 'measured-line', points: curve.map((w) => `${w.valence},${-w.arousal}`).join(' ') });
    }
    const measured = typeof r.measured_arousal === 'number';
    if (measured) {
        svg('circle', { class: 'measured-dot', cx: r.measured_valence ?? 0, cy: -r.measured_arousal, r: 0.05 });
    }
    box.dataset.measuredValence = measured ? String(r.measured_valence ?? '') : '';
    box.dataset.measuredArousal = measured ? String(r.measured_arousal) : '';
    box.dataset.curvePoints = String(curve.length);

    const add = definitions('compare');
    add('Asked for', `valence ${num(r.valence)}, arousal ${num(r.arousal)}`
        + (arc ? ` → valence ${num(r.valence_end)}, arousal ${num(r.arousal_end)}` : ''), null, 'asked-text');
    if (measured) {
        const first = curve[0];
        const last = curve[curve.length - 1];
        add('Measured in the music', `valence ${num(r.measured_valence)}, arousal ${num(r.measured_arousal)}`
            + (arc && curve.length > 1 ? ` (first 10 s: ${num(first.valence)}, ${num(first.arousal)}; last: ${num(last.valence)}, ${num(last.arousal)})` : ''),
        null, 'measured-text');
        const chosen = (r.candidate_measurements || [])[r.chosen_candidate] || {};
        add('Distance', `${num(chosen.distance)}${r.candidates > 1 ? ` · the nearest of ${r.candidates} candidates (no. ${r.chosen_candidate + 1})` : ''}`);
        add('Measured by', `${r.measurement_model}, as POST /analyze reads a MIDI file`);
    } else {
        add('Measured in the music', 'not measured (no notes, or the music-emotion reader is not loaded)');
    }
    if (typeof r.continuation_start_ms === 'number') {
        add('Continuation', `from ${(r.continuation_start_ms / 1000).toFixed(1)} s, after your MIDI file`);
    }
    box.hidden = false;
}

function colourOf(name) {
    const v = INSTRUMENT_COLOURS[name];
    return v ? getComputedStyle(document.documentElement).getPropertyValue(v).trim() : '#999';
}

function drawLegend(r) {
    const legend = $('legend');
    legend.textContent = '';
    r.instrument_names.forEach((name, i) => {
        const count = r.notes.filter((n) => n.instrument === i).length;
        const li = document.createElement('li');
        li.className = count ? '' : 'silent';
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = colourOf(name);
        li.append(swatch, document.createTextNode(`${name} · ${count} ${count === 1 ? 'note' : 'notes'}`));
        legend.append(li);
    });
}

/**
 * The piano roll: time left to right, pitch bottom to top for the melodic instruments, drums in a lane of their own
 * underneath (their "pitches" are kit pieces); a line marks the playback position.
 */
function drawRoll(playheadMs) {
    const r = state.result;
    const canvas = $('roll');
    if (!r) {
        return;
    }
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || 800;
    const cssHeight = cssWidth < 500 ? 220 : 280;
    canvas.style.height = `${cssHeight}px`;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = '#16131f';
    g.fillRect(0, 0, cssWidth, cssHeight);

    const drumsIndex = r.instrument_names.indexOf('drums');
    const melodic = r.notes.filter((n) => n.instrument !== drumsIndex);
    const drums = r.notes.filter((n) => n.instrument === drumsIndex);
    const end = Math.max(1000, r.duration_ms);
    const left = 44;
    const right = cssWidth - 8;
    const top = 8;
    const drumLane = drums.length ? 44 : 0;
    const bottom = cssHeight - 22 - drumLane;
    const x = (ms) => left + (ms / end) * (right - left);

    // time grid: a line a second (every 5 or 10 s when long), labelled
    const every = end > 120000 ? 10000 : end > 40000 ? 5000 : end > 12000 ? 2000 : 1000;
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'center';
    for (let t = 0; t <= end; t += every) {
        g.strokeStyle = 'rgba(255,255,255,0.08)';
        g.beginPath();
        g.moveTo(x(t) + 0.5, top);
        g.lineTo(x(t) + 0.5, cssHeight - 20);
        g.stroke();
        g.fillStyle = 'rgba(255,255,255,0.55)';
        g.fillText(`${Math.round(t / 1000)}s`, x(t), cssHeight - 6);
    }

    // pitch axis: C of each octave
    const pitches = melodic.map((n) => n.pitch);
    const lo = pitches.length ? Math.min(...pitches) - 2 : 48;
    const hi = pitches.length ? Math.max(...pitches) + 2 : 72;
    const rowHeight = (bottom - top) / (hi - lo + 1);
    const y = (pitch) => bottom - (pitch - lo + 1) * rowHeight;
    g.textAlign = 'right';
    for (let p = Math.ceil(lo / 12) * 12; p <= hi; p += 12) {
        g.strokeStyle = 'rgba(255,255,255,0.10)';
        g.beginPath();
        g.moveTo(left, y(p) + rowHeight + 0.5);
        g.lineTo(right, y(p) + rowHeight + 0.5);
        g.stroke();
        g.fillStyle = 'rgba(255,255,255,0.55)';
        g.fillText(`C${p / 12 - 1}`, left - 4, y(p) + rowHeight);
    }

    const colours = r.instrument_names.map(colourOf);
    const h = Math.max(2, Math.min(8, rowHeight));
    for (const n of melodic) {
        g.fillStyle = colours[n.instrument];
        g.fillRect(x(n.start_ms), y(n.pitch) + (rowHeight - h) / 2, Math.max(2, x(n.end_ms) - x(n.start_ms) - 0.5), h);
    }
    if (drums.length) {
        const laneTop = bottom + 8;
        g.fillStyle = 'rgba(255,255,255,0.04)';
        g.fillRect(left, laneTop, right - left, drumLane - 10);
        g.fillStyle = 'rgba(255,255,255,0.55)';
        g.fillText('drums', left - 4, laneTop + (drumLane - 10) / 2 + 4);
        const dp = drums.map((n) => n.pitch);
        const dlo = Math.min(...dp);
        const dhi = Math.max(...dp);
        g.fillStyle = colours[drumsIndex];
        for (const n of drums) {
            const dy = laneTop + 2 + (dhi === dlo ? 0.5 : (dhi - n.pitch) / (dhi - dlo)) * (drumLane - 16);
            g.fillRect(x(n.start_ms) - 1, dy - 1, 3, 5);
        }
    }
    // where a continuation begins, and the measured emotion over time (with an arc's asked line, dashed)
    if (typeof r.continuation_start_ms === 'number') {
        g.save();
        g.setLineDash([4, 4]);
        g.strokeStyle = 'rgba(255,255,255,0.8)';
        g.beginPath();
        g.moveTo(x(r.continuation_start_ms) + 0.5, top);
        g.lineTo(x(r.continuation_start_ms) + 0.5, cssHeight - 20);
        g.stroke();
        g.restore();
        g.fillStyle = 'rgba(255,255,255,0.85)';
        g.textAlign = 'left';
        g.fillText('continuation', x(r.continuation_start_ms) + 4, top + 10);
    }
    const yOf = (value) => bottom - ((value + 1) / 2) * (bottom - top);
    let curvePoints = 0;
    const curve = r.measured_curve || [];
    for (const key of ['valence', 'arousal']) {
        const points = curve.filter((w) => typeof w[key] === 'number')
            .map((w) => [x(((w.start_s + w.end_s) / 2) * 1000), yOf(w[key])]);
        if (!points.length) {
            continue;
        }
        curvePoints = Math.max(curvePoints, points.length);
        g.strokeStyle = CURVE_COLOURS[key];
        g.fillStyle = CURVE_COLOURS[key];
        g.lineWidth = 2;
        g.beginPath();
        points.forEach(([px, py], i) => (i ? g.lineTo(px, py) : g.moveTo(px, py)));
        g.stroke();
        points.forEach(([px, py]) => g.fillRect(px - 2.5, py - 2.5, 5, 5));
        const asked = r[`${key}_end`];
        if (typeof asked === 'number') {
            const from = typeof r.continuation_start_ms === 'number' ? r.continuation_start_ms : 0;
            g.save();
            g.setLineDash([6, 4]);
            g.lineWidth = 1.5;
            g.beginPath();
            g.moveTo(x(from), yOf(r[key]));
            g.lineTo(x(end), yOf(asked));
            g.stroke();
            g.restore();
        }
        g.lineWidth = 1;
    }
    if (curvePoints) {
        g.textAlign = 'left';
        g.font = '12px system-ui, sans-serif';
        let lx = left + 6;
        for (const key of ['valence', 'arousal']) {
            g.fillStyle = CURVE_COLOURS[key];
            g.fillRect(lx, top + 18, 14, 3);
            g.fillText(`measured ${key}${r[`${key}_end`] !== undefined ? ' (dashed: asked)' : ''}`, lx + 18, top + 23);
            lx += g.measureText(`measured ${key} (dashed: asked)`).width + 34;
        }
        g.font = '11px system-ui, sans-serif';
    }
    canvas.dataset.curvePoints = String(curvePoints);
    if (playheadMs > 0) {
        g.strokeStyle = '#ffffff';
        g.lineWidth = 1.5;
        g.beginPath();
        g.moveTo(x(playheadMs), top);
        g.lineTo(x(playheadMs), cssHeight - 20);
        g.stroke();
        g.lineWidth = 1;
    }
    canvas.dataset.notes = String(r.notes.length);
    canvas.dataset.durationMs = String(r.duration_ms);
    canvas.setAttribute('aria-label', `Piano roll of ${r.notes.length} notes over ${(r.duration_ms / 1000).toFixed(1)} seconds`);
    $('roll-caption').textContent = `Piano roll: ${r.notes.length} notes over ${(r.duration_ms / 1000).toFixed(1)} s, coloured by instrument. Click it to play from that moment.`;
    canvas.roll = { left, right, end };
}

function setupPlayback() {
    const audio = $('audio');
    const canvas = $('roll');
    let frame = 0;
    const tick = () => {
        drawRoll(audio.currentTime * 1000);
        if (!audio.paused) {
            frame = requestAnimationFrame(tick);
        }
    };
    audio.addEventListener('play', () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(tick); });
    audio.addEventListener('pause', () => drawRoll(audio.currentTime * 1000));
    audio.addEventListener('seeked', () => drawRoll(audio.currentTime * 1000));
    canvas.addEventListener('click', (event) => {
        const roll = canvas.roll;
        if (!roll || !audio.src) {
            return;
        }
        const box = canvas.getBoundingClientRect();
        const ms = ((event.clientX - box.left - roll.left) / (roll.right - roll.left)) * roll.end;
        audio.currentTime = Math.max(0, ms / 1000);
        audio.play().catch(() => { /* the browser may refuse without a gesture */ });
    });
    let resize = 0;
    window.addEventListener('resize', () => {
        clearTimeout(resize);
        resize = setTimeout(() => drawRoll(audio.currentTime * 1000), 100);
    });
}

// --- primer: a MIDI file to continue --------------------------------------------------------------------------------

function setupPrimer() {
    const input = $('primer');
    const caption = $('primer-caption');
    const initial = caption.textContent;
    input.addEventListener('change', () => {
        if (input.files && input.files[0]) {
            state.primer = input.files[0];
            caption.textContent = `The music continues ${state.primer.name} (${formatBytes(state.primer.size)}).`;
            $('primer-clear').hidden = false;
            input.removeAttribute('aria-invalid');
            $('setting-primer-error').hidden = true;
        }
    });
    $('primer-clear').addEventListener('click', () => {
        state.primer = null;
        input.value = '';
        caption.textContent = initial;
        $('primer-clear').hidden = true;
        $('setting-primer-error').hidden = true;
    });
}

// --- start -----------------------------------------------------------------------------------------------------------

function start() {
    setupUpload();
    setupPlane();
    setupPlayback();
    setupPrimer();
    setPoint(0, 0);
    updateEmotionText();
    $('generate').addEventListener('click', generate);
    $('cancel').addEventListener('click', () => state.generation && state.generation.abort());
    $('reset-settings').addEventListener('click', resetSettings);
    loadGallery();
    loadSettings();
}

start();

// Building the page from data: every value goes in as text (textContent,
// setAttribute, option.value), never as HTML, so nothing from the API can run.

let nextId = 0;

/**
 * Creates an element. `props` keys: `text` (textContent), `class`, `on<event>`
 * (listeners), `hidden`/`disabled`/`checked`/`required`/`value`/`id` as properties,
 * anything else as an attribute. Children are nodes or strings (text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (["hidden", "disabled", "checked", "required", "value", "id"].includes(key)) {
      node[key] = value;
    } else node.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** A labelled input: `{ label, name, type, value, required, autocomplete, hint }`. */
export function field(spec) {
  const id = `field-${++nextId}`;
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const input = el("input", {
    id,
    name: spec.name,
    type: spec.type ?? "text",
    value: spec.value,
    required: spec.required,
    autocomplete: spec.autocomplete ?? "off",
    spellcheck: "false",
    placeholder: spec.placeholder,
    inputmode: spec.inputmode,
    "aria-describedby": hintId,
  });
  return el(
    "div",
    { class: "field" },
    el("label", { for: id, text: spec.label }),
    input,
    spec.hint ? el("span", { id: hintId, class: "muted", text: spec.hint }) : null,
  );
}

/** A labelled select: `{ label, name, options: [[value, text]], value }`. */
export function select(spec) {
  const id = `field-${++nextId}`;
  const node = el("select", { id, name: spec.name });
  for (const [value, text] of spec.options) node.append(el("option", { value, text }));
  if (spec.value !== undefined) node.value = spec.value;
  return el("div", { class: "field" }, el("label", { for: id, text: spec.label }), node);
}

/** A labelled checkbox. */
export function checkbox(spec) {
  const id = `field-${++nextId}`;
  return el(
    "span",
    { class: "check" },
    el("input", {
      id,
      type: "checkbox",
      name: spec.name,
      value: spec.value,
      checked: spec.checked,
    }),
    el("label", { for: id, text: ` ${spec.label}` }),
  );
}

/**
 * A form with a heading; `onSubmit(values, form)` gets the named fields' values
 * (checkboxes of one name as an array). The browser never submits it itself.
 */
export function form(title, children, submitLabel, onSubmit) {
  const heading = el("h3", { text: title });
  const node = el("form", { "aria-label": title }, heading, ...children);
  node.append(el("div", {}, el("button", { type: "submit", text: submitLabel })));
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(formValues(node), node);
  });
  return node;
}

function formValues(node) {
  const values = {};
  for (const input of node.querySelectorAll("input[name], select[name]")) {
    if (input.type === "checkbox") {
      values[input.name] ??= [];
      if (input.checked) values[input.name].push(input.value);
    } else values[input.name] = input.value.trim();
  }
  return values;
}

/**
 * A table: `columns` are header texts; each row is an array of cells (strings
 * or nodes); the first cell is the row's header (`th scope="row"`).
 */
export function table(caption, columns, rows, empty = "None.") {
  if (rows.length === 0) return el("p", { class: "muted", text: `${caption}: ${empty}` });
  return el(
    "table",
    {},
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, columns.map((text) => el("th", { scope: "col", text })))),
    el(
      "tbody",
      {},
      rows.map((cells) =>
        el(
          "tr",
          {},
          cells.map((cell, k) =>
            el(k === 0 ? "th" : "td", k === 0 ? { scope: "row" } : {}, cellContent(cell))
          ),
        )
      ),
    ),
  );
}

function cellContent(cell) {
  if (cell === undefined || cell === null) return "";
  return typeof cell === "object" ? cell : String(cell);
}

/** A description list from `[term, value]` pairs. */
export function details(pairs) {
  return el(
    "dl",
    {},
    pairs.map(([term, value]) => [el("dt", { text: term }), el("dd", {}, cellContent(value))]),
  );
}

/** A button that runs `action` when pressed. */
export function button(text, action, options = {}) {
  return el("button", {
    type: "button",
    text,
    class: options.class,
    "aria-label": options.label,
    onclick: action,
  });
}

/** The view's heading, focused when the view is opened. */
export function heading(text) {
  return el("h2", { id: "view-title", tabindex: "-1", text });
}

/** After a view is rebuilt, keyboard focus goes back to its heading if it was lost. */
export function refocus() {
  const active = document.activeElement;
  if (!active || active === document.body || !active.isConnected) {
    document.getElementById("view-title")?.focus();
  }
}

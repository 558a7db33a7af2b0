/* The selection rule builder (R9): rows of field group → field → operator → value(s),
 * joined by AND or OR inside a bracket group, bracket groups joined by AND or OR.
 *
 * Everything about fields comes from the catalogue the page renders as JSON
 * (#builder-catalogue). The text form beside the rows is asked from the server
 * (/api/rules/check), so the page never has its own idea of the rule language; typed
 * text is loaded back into the rows through the same endpoint's JSON form.
 * Plain JavaScript, no framework. */
(function () {
  "use strict";

  const root = document.getElementById("builder");
  const catalogueNode = document.getElementById("builder-catalogue");
  const textBox = document.getElementById("rule-text");
  const runForm = document.getElementById("run-form");
  if (!root || !catalogueNode || !textBox || !runForm || !window.LidgeldRuleForm) return;

  const C = JSON.parse(catalogueNode.textContent);
  const T = C.texts;
  const M = window.LidgeldRuleForm.create(C);
  const FIELDS = M.FIELDS;
  const arity = M.arity;
  const emptyValues = M.emptyValues;
  const fieldsOf = M.fieldsOf;
  const newRow = M.newRow;
  const newGroup = M.newGroup;
  const status = document.getElementById("rule-status");
  const loadButton = document.getElementById("load-text");
  const csrfInput = runForm.querySelector("[name=csrfmiddlewaretoken]");
  const csrf = csrfInput ? csrfInput.value : "";
  let state = null;
  let source = "rows"; // which one the person changed last: "rows" or "text"
  let dirty = false; // rows changed since the text was last written from them
  let timer = null;
  let sequence = 0;

  // --- the page --------------------------------------------------------------------

  function make(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      const value = attributes[name];
      if (value === true) node.setAttribute(name, "");
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  function labelled(id, text, control, extraClass) {
    control.id = id;
    return make("div", { class: "control" + (extraClass ? " " + extraClass : "") }, [
      make("label", { for: id }, [text]),
      control,
    ]);
  }

  function select(options, current, onChange) {
    const node = make("select");
    options.forEach(function (option) {
      const item = make("option", { value: option[0] }, [option[1]]);
      if (option[0] === current) item.selected = true;
      node.append(item);
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  /* A button; ``hidden`` is said to screen readers only ("Remove condition (1.2)"). */
  function button(text, onClick, extraClass, action, hidden) {
    const children = [text];
    if (hidden) children.push(make("span", { class: "visually-hidden" }, [" (" + hidden + ")"]));
    const node = make("button", { type: "button", class: extraClass || "", "data-action": action }, children);
    node.addEventListener("click", onClick);
    return node;
  }

  function joinOptions() {
    return [["and", T.and], ["or", T.or]];
  }

  function valueControl(field, row, index) {
    let control;
    const current = row.values[index] || "";
    if (field.type === "choice") {
      const options = [["", T.choose]].concat(field.choices.map(function (c) { return [c.value, c.label]; }));
      if (current && !options.some(function (o) { return o[0] === current; })) options.push([current, current]);
      control = select(options, current, function (value) { row.values[index] = value; changed(); });
      return control;
    }
    const attributes = { type: "text", value: current };
    if (field.type === "date") attributes.type = "date";
    if (field.type === "integer") attributes.inputmode = "numeric";
    if (field.type === "money") attributes.inputmode = "decimal";
    control = make("input", attributes);
    control.value = current;
    control.addEventListener("input", function () { row.values[index] = control.value; changed(); });
    return control;
  }

  function renderValues(field, row, prefix) {
    const n = arity(row.op);
    const box = make("div", { class: "values" });
    if (n === 0) return box;
    if (n === 2) {
      box.append(labelled(prefix + "-v0", T.from, valueControl(field, row, 0)));
      box.append(labelled(prefix + "-v1", T.to, valueControl(field, row, 1)));
      return box;
    }
    if (n === 1) {
      box.append(labelled(prefix + "-v0", T.value, valueControl(field, row, 0)));
      return box;
    }
    row.values.forEach(function (_, i) {
      const part = labelled(prefix + "-v" + i, T.value + " " + (i + 1), valueControl(field, row, i), "many");
      if (row.values.length > 1) {
        part.append(button(T.removeValue, function () {
          row.values.splice(i, 1);
          changed();
          render(prefix + "-add-value");
        }, "link", "remove-value", T.value + " " + (i + 1)));
      }
      box.append(part);
    });
    const add = button(T.addValue, function () {
      row.values.push("");
      changed();
      render(prefix + "-v" + (row.values.length - 1));
    }, "small", "add-value");
    add.id = prefix + "-add-value";
    box.append(add);
    return box;
  }

  function renderRow(group, row, label, canRemove) {
    const prefix = "r" + row.id;
    const field = FIELDS.get(row.ref);
    const box = make("fieldset", { class: "condition", id: prefix }, [make("legend", {}, [label])]);
    box.append(labelled(prefix + "-group", T.group, select(
      C.groups.map(function (g) { return [g.letter, g.label]; }),
      field.group,
      function (letter) {
        const fresh = newRow(fieldsOf(letter)[0].ref);
        row.ref = fresh.ref; row.op = fresh.op; row.values = fresh.values;
        changed();
        render(prefix + "-group");
      }
    )));
    box.append(labelled(prefix + "-field", T.field, select(
      fieldsOf(field.group).map(function (f) { return [f.ref, f.label]; }),
      row.ref,
      function (ref) {
        const next = FIELDS.get(ref);
        if (next.type !== field.type) row.values = emptyValues(row.op);
        row.ref = ref;
        if (next.operators.indexOf(row.op) < 0) { row.op = next.operators[0]; row.values = emptyValues(row.op); }
        changed();
        render(prefix + "-field");
      }
    )));
    box.append(labelled(prefix + "-op", T.operator, select(
      field.operators.map(function (op) { return [op, C.operators[op]]; }),
      row.op,
      function (op) {
        const kept = row.values.filter(function (v) { return v !== ""; });
        row.op = op;
        const wanted = emptyValues(op);
        row.values = wanted.map(function (_, i) { return kept[i] || ""; });
        if (arity(op) === "many" && kept.length > 1) row.values = kept;
        changed();
        render(prefix + "-op");
      }
    )));
    box.append(renderValues(field, row, prefix));
    if (canRemove) {
      box.append(button(T.removeCondition, function () {
        group.rows.splice(group.rows.indexOf(row), 1);
        if (group.rows.length === 0) state.groups.splice(state.groups.indexOf(group), 1);
        changed();
        render("add-group");
      }, "danger small", "remove-condition", label));
    }
    return box;
  }

  function renderGroup(group, gi) {
    const title = T.bracket + " " + (gi + 1);
    const box = make("fieldset", { class: "bracket", id: "g" + group.id }, [make("legend", {}, [title])]);
    if (group.rows.length > 1) {
      box.append(labelled("g" + group.id + "-join", T.joinRows, select(joinOptions(), group.join, function (value) {
        group.join = value;
        changed();
        render("g" + group.id + "-join");
      }), "join"));
    }
    const total = state.groups.reduce(function (sum, g) { return sum + g.rows.length; }, 0);
    group.rows.forEach(function (row, ri) {
      if (ri > 0) box.append(make("p", { class: "joiner", "aria-hidden": "true" }, [group.join.toUpperCase()]));
      box.append(renderRow(group, row, T.condition + " " + (gi + 1) + "." + (ri + 1), total > 1));
    });
    const actions = make("p", { class: "actions" });
    const add = button(T.addCondition, function () {
      const row = newRow(group.rows[group.rows.length - 1].ref);
      group.rows.push(row);
      changed();
      render("r" + row.id + "-group");
    }, "", "add-condition");
    actions.append(add);
    if (state.groups.length > 1) {
      actions.append(button(T.removeBracket, function () {
        state.groups.splice(state.groups.indexOf(group), 1);
        changed();
        render("add-group");
      }, "danger", "remove-bracket", title));
    }
    box.append(actions);
    return box;
  }

  function render(focusId) {
    root.replaceChildren();
    if (state.groups.length > 1) {
      root.append(labelled("join-groups", T.joinGroups, select(joinOptions(), state.join, function (value) {
        state.join = value;
        changed();
        render("join-groups");
      }), "join"));
    }
    state.groups.forEach(function (group, gi) {
      if (gi > 0) root.append(make("p", { class: "joiner top", "aria-hidden": "true" }, [state.join.toUpperCase()]));
      root.append(renderGroup(group, gi));
    });
    const add = button(T.addBracket, function () {
      const group = newGroup();
      state.groups.push(group);
      changed();
      render("r" + group.rows[0].id + "-group");
    }, "", "add-bracket");
    add.id = "add-group";
    root.append(make("p", { class: "actions" }, [add]));
    if (focusId) {
      const target = document.getElementById(focusId);
      if (target) target.focus();
    }
  }

  function labelOf(row) {
    let label = "";
    state.groups.forEach(function (group, gi) {
      const ri = group.rows.indexOf(row);
      if (ri >= 0) label = T.condition + " " + (gi + 1) + "." + (ri + 1);
    });
    return label;
  }

  function say(text, tone) {
    if (!status) return;
    status.textContent = text;
    status.className = "status" + (tone ? " " + tone : "");
  }

  function clearMarks() {
    root.querySelectorAll(".condition.invalid").forEach(function (node) { node.classList.remove("invalid"); });
    root.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
  }

  function mark(row) {
    const box = document.getElementById("r" + row.id);
    if (!box) return null;
    box.classList.add("invalid");
    const inputs = box.querySelectorAll(".values input, .values select");
    inputs.forEach(function (node) { node.setAttribute("aria-invalid", "true"); });
    return Array.prototype.find.call(inputs, function (node) { return node.value === ""; }) || inputs[0] || null;
  }

  // --- talking to the server -------------------------------------------------------

  function post(body) {
    return fetch(root.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      // The check answers in the page's language, not the browser's (staff pages are
      // Dutch unless English was chosen with the switch).
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf,
        "Accept-Language": document.documentElement.lang || "nl",
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function changed() {
    source = "rows";
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(sync, 350);
  }

  /* Write the text form of the rows into the text box; resolves to whether it could. */
  function sync() {
    window.clearTimeout(timer);
    clearMarks();
    const missing = [];
    state.groups.forEach(function (group) {
      group.rows.forEach(function (row) { if (!M.complete(row)) missing.push(row); });
    });
    if (missing.length) {
      mark(missing[0]);
      say(labelOf(missing[0]) + ": " + T.fillIn, "warn");
      return Promise.resolve(false);
    }
    const built = M.buildRule(state);
    const mine = ++sequence;
    say(T.checking, "");
    return post({ rule: built.rule }).then(function (answer) {
      if (mine !== sequence) return false; // a newer check is under way
      if (answer.ok) {
        textBox.value = answer.data.text;
        textBox.removeAttribute("aria-invalid");
        dirty = false;
        say(T.ok, "ok");
        return true;
      }
      const row = M.rowForPath(built.paths, answer.data.path);
      if (row) mark(row);
      say((row ? labelOf(row) + ": " : "") + (answer.data.localized || answer.data.error), "error");
      return false;
    }).catch(function () {
      say(T.unreachable, "error");
      return false;
    });
  }

  function loadText(quiet) {
    const text = textBox.value;
    if (!text.trim()) return;
    post({ text: text }).then(function (answer) {
      if (!answer.ok) {
        const where = answer.data.position !== undefined && answer.data.position !== null
          ? T.atCharacter + " " + (answer.data.position + 1) + ": " : "";
        say(where + (answer.data.localized || answer.data.error), "error");
        return;
      }
      const loaded = M.fromRule(answer.data.rule);
      if (!loaded) {
        source = "text";
        say(T.tooDeep, "warn");
        return;
      }
      state = loaded;
      source = "rows";
      dirty = false;
      textBox.value = answer.data.text;
      render();
      if (!quiet) say(T.loaded, "ok");
    }).catch(function () { say(T.unreachable, "error"); });
  }

  textBox.addEventListener("input", function () {
    source = "text";
    say(T.textChanged, "");
  });
  if (loadButton) loadButton.addEventListener("click", function () { loadText(false); });

  // Run what the person built last: rows changed since the text was written are
  // written first (and a rule that cannot be written is not run).
  runForm.addEventListener("submit", function (event) {
    if (source !== "rows" || !dirty) return;
    event.preventDefault();
    sync().then(function (ok) {
      if (ok) {
        runForm.submit();
        return;
      }
      const box = root.querySelector(".condition.invalid");
      const target = box && (box.querySelector("[aria-invalid]") || box.querySelector("select"));
      if (target) target.focus();
    });
  });

  state = { join: "and", groups: [newGroup()] };
  root.hidden = false;
  render();
  if (textBox.value.trim()) {
    // A rule came with the page (a saved selection, a set's rule, a run that failed).
    source = "text";
    loadText(true);
  }
})();

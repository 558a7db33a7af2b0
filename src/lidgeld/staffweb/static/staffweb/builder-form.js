/* The rule builder's model, without the page: rows and bracket groups, their JSON form
 * (as /api/rules/check reads and answers it), and the way back from JSON to rows.
 * Driven by the field catalogue; used by builder.js. */
window.LidgeldRuleForm = (function () {
  "use strict";

  // Other spellings of operators than the JSON names the catalogue uses.
  const OPERATOR_ALIASES = { "≠": "!=", "<>": "!=", "≤": "<=", "≥": ">=", "is empty": "is_empty" };

  function create(C) {
    const FIELDS = new Map(C.fields.map(function (f) { return [f.ref, f]; }));
    let nextId = 1;

    // --- the model -------------------------------------------------------------------

    function arity(op) {
      const n = C.arity[op];
      return n === undefined ? 1 : n;
    }

    function emptyValues(op) {
      const n = arity(op);
      return n === 0 ? [] : n === 2 ? ["", ""] : [""];
    }

    function fieldsOf(letter) {
      return C.fields.filter(function (f) { return f.group === letter; });
    }

    function newRow(ref) {
      const field = FIELDS.get(ref) || C.fields[0];
      const op = field.operators[0];
      return { id: nextId++, ref: field.ref, op: op, values: emptyValues(op) };
    }

    function newGroup() {
      return { id: nextId++, join: "and", rows: [newRow()] };
    }

    function filled(row) {
      return row.values.filter(function (v) { return String(v).trim() !== ""; });
    }

    function complete(row) {
      const n = arity(row.op);
      if (n === "many") return filled(row).length > 0;
      return filled(row).length === row.values.length;
    }

    function conditionJson(row) {
      const node = { field: row.ref, op: row.op };
      const n = arity(row.op);
      if (n === "many") node.value = filled(row);
      else if (n === 2) node.value = row.values.slice();
      else if (n === 1) node.value = row.values[0];
      return node;
    }

    /* The JSON form of the rows, already flat the way the server flattens it (a group
     * joined like the groups around it merges into them), so the path of an error the
     * server reports leads back to the row it is about. */
    function buildRule(state) {
      const top = state.join;
      const items = [];
      state.groups.forEach(function (group) {
        if (group.rows.length === 1 || group.join === top) {
          group.rows.forEach(function (row) {
            items.push({ node: conditionJson(row), rows: [[row, ""]] });
          });
        } else {
          items.push({
            node: { [group.join]: group.rows.map(conditionJson) },
            rows: group.rows.map(function (row, i) { return [row, "." + group.join + "[" + i + "]"]; }),
          });
        }
      });
      const paths = [];
      let rule;
      if (items.length === 1) {
        rule = items[0].node;
        items[0].rows.forEach(function (pair) { paths.push(["$" + pair[1], pair[0]]); });
      } else {
        rule = { [top]: items.map(function (item) { return item.node; }) };
        items.forEach(function (item, k) {
          item.rows.forEach(function (pair) { paths.push(["$." + top + "[" + k + "]" + pair[1], pair[0]]); });
        });
      }
      return { rule: rule, paths: paths };
    }

    function rowForPath(paths, path) {
      let best = null;
      let bestLength = -1;
      (paths || []).forEach(function (pair) {
        const p = pair[0];
        const hit = path === p || (path && (path.startsWith(p + ".") || path.startsWith(p + "[")));
        if (hit && p.length > bestLength) {
          best = pair[1];
          bestLength = p.length;
        }
      });
      return best;
    }

    // --- text → rows -----------------------------------------------------------------

    function normalise(field, value) {
      const text = String(value);
      if (field.type === "date") {
        const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
        if (m) return m[3] + "-" + m[2].padStart(2, "0") + "-" + m[1].padStart(2, "0");
      }
      if (field.type === "choice") {
        const key = text.trim().toLowerCase();
        const hit = field.choices.find(function (c) { return c.value.toLowerCase() === key; });
        if (hit) return hit.value;
        const written = field.stored[text.trim().toUpperCase()];
        if (written) return written;
      }
      return text;
    }

    function isCondition(node) {
      return node !== null && typeof node === "object" && "field" in node;
    }

    function rowFrom(node) {
      const field = FIELDS.get(node.field);
      if (!field) return null;
      const op = OPERATOR_ALIASES[node.op] || node.op;
      if (field.operators.indexOf(op) < 0) return null;
      const raw = node.value === undefined ? [] : Array.isArray(node.value) ? node.value : [node.value];
      return { id: nextId++, ref: field.ref, op: op, values: raw.map(function (v) { return normalise(field, v); }) };
    }

    function junctionKey(node) {
      if (node && "and" in node) return "and";
      if (node && "or" in node) return "or";
      return null;
    }

    function groupOf(rows, join) {
      if (rows.indexOf(null) >= 0) return null;
      return { id: nextId++, join: join, rows: rows };
    }

    /* The rows for a rule in JSON form, or null when it is deeper than the rows can show
     * (brackets within brackets, NOT). */
    function fromRule(rule) {
      if (isCondition(rule)) {
        const group = groupOf([rowFrom(rule)], "and");
        return group && { join: "and", groups: [group] };
      }
      const key = junctionKey(rule);
      if (!key) return null;
      const items = rule[key];
      if (items.every(isCondition)) {
        const group = groupOf(items.map(rowFrom), key);
        return group && { join: "and", groups: [group] };
      }
      const groups = items.map(function (item) {
        if (isCondition(item)) return groupOf([rowFrom(item)], "and");
        const inner = junctionKey(item);
        if (!inner || !item[inner].every(isCondition)) return null;
        return groupOf(item[inner].map(rowFrom), inner);
      });
      if (groups.indexOf(null) >= 0) return null;
      return { join: key, groups: groups };
    }

    return {
      FIELDS: FIELDS,
      arity: arity,
      emptyValues: emptyValues,
      fieldsOf: fieldsOf,
      newRow: newRow,
      newGroup: newGroup,
      complete: complete,
      buildRule: buildRule,
      rowForPath: rowForPath,
      fromRule: fromRule,
    };
  }

  return { create: create };
})();

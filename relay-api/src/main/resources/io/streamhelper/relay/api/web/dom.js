// Building the page: every value goes in as text (textContent, attributes), never as markup.
import { ApiError } from './api.js';

/** h('p', {class: 'x', onclick: f}, 'text', child): an element with attributes and children. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * A labelled input (or select, with opts.options = [[value, text], ...]) and the place its error
 * goes: ids are "<form>-<name>" and "<form>-<name>-error", so an API error naming the field
 * lands next to it. opts.value is set as a property, so it never appears in the HTML.
 */
export function field(formId, name, label, opts = {}) {
  const id = formId + '-' + name;
  const described = [id + '-error', opts.hint ? id + '-hint' : null].filter(Boolean).join(' ');
  const input = opts.options
    ? h('select', { id, name, 'aria-describedby': described },
        opts.options.map(([value, text]) => h('option', { value }, text)))
    : h('input', {
        id, name, type: opts.type || 'text', autocomplete: opts.autocomplete || 'off',
        placeholder: opts.placeholder, spellcheck: 'false', 'aria-describedby': described,
      });
  if (opts.value !== undefined && opts.value !== null) input.value = opts.value;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    input,
    opts.hint ? h('p', { class: 'hint', id: id + '-hint' }, opts.hint) : null,
    h('p', { class: 'error', id: id + '-error', 'aria-live': 'polite' }));
}

/**
 * A form whose submit calls onSubmit(values, form); an ApiError it throws is shown next to the
 * field it names, or the field opts.fieldByStatus gives for its status, or opts.defaultField, or
 * under the form. novalidate: the server's
 * message is the one shown, not the browser's.
 */
export function form(id, fields, submitLabel, onSubmit, opts = {}) {
  const el = h('form', { id, novalidate: true, class: opts.class },
    opts.title ? h('h3', {}, opts.title) : null,
    fields,
    h('p', { class: 'error', id: id + '-error', 'aria-live': 'polite' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: id + '-submit' }, submitLabel), opts.extra));
  if (opts.defaultField) el.dataset.defaultField = opts.defaultField;
  // An error without a field that still belongs to one, by status (409: the email is taken).
  for (const [status, name] of Object.entries(opts.fieldByStatus || {})) el.dataset['field' + status] = name;
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(el);
    const button = el.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await onSubmit(Object.fromEntries(new FormData(el)), el);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(el, error);
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

export function clearErrors(formEl) {
  formEl.querySelectorAll('.error').forEach((p) => { p.textContent = ''; });
  formEl.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
}

export function showError(formEl, error) {
  const named = error.field && formEl.querySelector('#' + formEl.id + '-' + error.field) ? error.field : null;
  const name = named || formEl.dataset['field' + error.status] || formEl.dataset.defaultField;
  const input = name ? formEl.querySelector('#' + formEl.id + '-' + name) : null;
  const place = input ? formEl.querySelector('#' + input.id + '-error') : formEl.querySelector('#' + formEl.id + '-error');
  place.textContent = error.message;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

/** Only the fields that have something in them (an empty optional field is left out). */
export function filled(values) {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

/** Replaces the view's content; its heading takes the focus, for keyboard and screen-reader users. */
export function show(view, ...children) {
  view.replaceChildren(...children);
  const heading = view.querySelector('h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

/** Copies text to the clipboard; falls back to a selection where the Clipboard API is not allowed (plain http). */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}

// The form before a share opens: who is opening it and why (the patient's
// access log shows both), and the passcode when the link has one.
import { el } from './dom.js';
import { capitalize, dateTimeText, mainPurposes } from './format.js';

/**
 * openForm builds the form for a parsed link. remembered holds what the
 * clinician typed before on this page ({who, purpose}), so a wrong passcode
 * does not make them type it all again; it lives in memory only. problem is
 * the message to show above the form (a wrong passcode), or ''. onSubmit
 * receives {who, purpose, passcode}.
 */
export function openForm({ link, remembered, purposes, problem, onSubmit }) {
  const who = el('input', {
    attrs: { id: 'who', name: 'who', type: 'text', required: true, autocomplete: 'name', maxlength: 200,
      placeholder: 'e.g. Dr Jane Smith, St Mary’s ED', value: remembered.who },
  });
  const purpose = el('select', { attrs: { id: 'purpose', name: 'purpose' } },
    mainPurposes.map((p) => el('option', { text: `${p.label} (${p.code})`, attrs: { value: p.code } })),
    el('optgroup', { attrs: { label: 'More…' } },
      purposes.filter((p) => !mainPurposes.some((m) => m.code === p.code))
        .map((p) => el('option', { text: `${capitalize(p.display)} (${p.code})`, attrs: { value: p.code } }))));
  purpose.value = remembered.purpose || 'TREAT';
  const needsPasscode = typeof link.flag === 'string' && link.flag.includes('P');
  const passcode = needsPasscode
    ? el('input', { attrs: { id: 'passcode', name: 'passcode', type: 'password', required: true, autocomplete: 'off', inputmode: 'text' } })
    : null;
  const submit = el('button', { class: 'primary', text: 'Open the records', attrs: { type: 'submit' } });

  const form = el('form', { class: 'open-form', attrs: { novalidate: false } },
    el('h1', { text: link.label ? `Shared health records: ${link.label}` : 'Shared health records' }),
    el('p', { class: 'hint', text: 'The patient shared these records with you. They are decrypted and checked here, in your browser.' }),
    link.exp ? el('p', { class: 'hint', text: `This link works until ${dateTimeText(new Date(link.exp * 1000))}.` }) : null,
    problem ? el('p', { class: 'form-problem', text: problem, attrs: { role: 'alert' } }) : null,
    el('label', { attrs: { for: 'who' } }, el('span', { text: 'Who is opening this' }),
      el('small', { text: 'Your name and role; the patient sees it in their access log.' })),
    who,
    el('label', { attrs: { for: 'purpose' } }, el('span', { text: 'Why' })),
    purpose,
    needsPasscode ? el('label', { attrs: { for: 'passcode' } }, el('span', { text: 'Passcode' }),
      el('small', { text: 'The patient tells you the passcode; it is not in the QR code.' })) : null,
    passcode,
    submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = who.value.trim();
    if (name === '') {
      who.focus();
      return;
    }
    if (passcode !== null && passcode.value === '') {
      passcode.focus();
      return;
    }
    submit.disabled = true;
    onSubmit({ who: name, purpose: purpose.value, passcode: passcode === null ? undefined : passcode.value });
  });
  // Focus the first field a person still has to fill.
  queueMicrotask(() => (remembered.who && passcode !== null ? passcode : who).focus());
  return form;
}

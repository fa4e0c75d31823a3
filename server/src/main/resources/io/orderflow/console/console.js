// The Orderflow console: plain JavaScript over the instance's own HTTP API (docs/api.md), no build step, nothing
// fetched from elsewhere. The token stays in this tab (sessionStorage) and goes only to this instance.
'use strict';

const $ = (id) => document.getElementById(id);
const samples = []; // confirmed totals, one per refresh, for the rate and the chart
const REFRESH_MS = 2000;

function token() {
  return sessionStorage.getItem('orderflow.token') || '';
}

async function api(method, path, body) {
  const headers = {};
  if (token()) {
    headers['Authorization'] = 'Bearer ' + token();
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const servedBy = response.headers.get('X-Orderflow-Served-By');
  if (servedBy) {
    $('served-by').textContent = servedBy;
  }
  let json = {};
  try {
    json = await response.json();
  } catch (e) {
    json = {error: 'HTTP ' + response.status};
  }
  if (!response.ok) {
    throw new Error((json.error || 'HTTP ' + response.status) + ' (HTTP ' + response.status + ')');
  }
  return json;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

function age(millis) {
  const s = Math.max(0, Math.round(millis / 1000));
  return s >= 3600 ? Math.floor(s / 3600) + 'h' + Math.floor(s % 3600 / 60) + 'm'
      : s >= 60 ? Math.floor(s / 60) + 'm' + (s % 60) + 's' : s + 's';
}

async function refreshLive() {
  try {
    const analytics = await api('GET', '/analytics/orders?window=15m');
    const count = (status) => (analytics.statuses[status] || {count: 0}).count;
    $('count-placed').textContent = count('PLACED');
    $('count-confirmed').textContent = count('CONFIRMED');
    $('count-cancelled').textContent = count('CANCELLED');
    samples.push({at: Date.now(), confirmed: count('CONFIRMED')});
    if (samples.length > 61) {
      samples.shift();
    }
    drawChart();
    const running = await api('GET', '/sagas?limit=1000');
    $('count-running').textContent = running.items.length + (running.next ? '+' : '');
    $('oldest-running').textContent = running.items.length ? age(Date.now() - running.items[0].placedAt) : '–';
    if (refreshes++ % 10 === 0) {
      const cancelled = await api('GET', '/sagas?status=CANCELLED&limit=1000');
      const reasons = {};
      for (const saga of cancelled.items) {
        reasons[saga.reason] = (reasons[saga.reason] || 0) + 1;
      }
      const text = Object.keys(reasons).sort().map((r) => r + ' ' + reasons[r]).join(', ');
      $('cancelled-by-reason').textContent = (text || 'none') + (cancelled.next ? ' (the oldest 1000)' : '');
    }
    $('live-error').textContent = '';
  } catch (e) {
    $('live-error').textContent = 'Live counters: ' + e.message;
  }
}

let refreshes = 0;

function drawChart() {
  const rates = [];
  for (let i = 1; i < samples.length; i++) {
    const seconds = (samples[i].at - samples[i - 1].at) / 1000;
    rates.push(Math.max(0, samples[i].confirmed - samples[i - 1].confirmed) / seconds);
  }
  $('confirmed-rate').textContent = rates.length ? rates[rates.length - 1].toFixed(1) : '–';
  const max = Math.max(1, ...rates);
  $('chart-line').setAttribute('points',
      rates.map((r, i) => (i * 10) + ',' + (78 - 74 * r / max).toFixed(1)).join(' '));
}

async function findSagas(event) {
  if (event) {
    event.preventDefault();
  }
  const params = new URLSearchParams();
  if ($('saga-status').value) params.set('status', $('saga-status').value);
  if ($('saga-older').value.trim()) params.set('olderThan', $('saga-older').value.trim());
  if ($('saga-customer').value.trim()) params.set('customerId', $('saga-customer').value.trim());
  const body = $('sagas').querySelector('tbody');
  try {
    const page = await api('GET', '/sagas?' + params);
    body.replaceChildren();
    for (const saga of page.items) {
      const row = document.createElement('tr');
      row.dataset.orderId = saga.orderId;
      cell(row, saga.orderId);
      cell(row, saga.customerId);
      cell(row, saga.status + (saga.reason ? ' (' + saga.reason + ')' : ''));
      cell(row, age(Date.now() - saga.placedAt));
      cell(row, saga.awaiting.join(', '));
      const actions = cell(row, '');
      const choose = document.createElement('button');
      choose.type = 'button';
      choose.textContent = 'Act on ' + saga.orderId;
      choose.addEventListener('click', () => {
        $('action-order').value = saga.orderId;
        $('action-reason').focus();
      });
      actions.appendChild(choose);
      body.appendChild(row);
    }
    $('sagas-state').textContent = page.items.length + ' saga(s)' + (page.next ? ', more after these' : '');
  } catch (e) {
    $('sagas-state').textContent = 'Sagas: ' + e.message;
  }
}

async function act(event) {
  event.preventDefault();
  const action = event.submitter ? event.submitter.value : 'compensate';
  const orderId = $('action-order').value.trim();
  try {
    const done = await api('POST', '/sagas/' + encodeURIComponent(orderId) + '/' + action,
        {reason: $('action-reason').value});
    $('action-state').textContent = done.action + ' ' + done.orderId + ' written to ' + done.topic + ' partition '
        + done.partition + ' offset ' + done.offset + ' by ' + done.operator;
    findSagas();
  } catch (e) {
    $('action-state').textContent = 'Refused: ' + e.message;
  }
}

async function lookup(event) {
  event.preventDefault();
  const kind = $('lookup-kind').value;
  try {
    const id = encodeURIComponent($('lookup-id').value.trim());
    const found = await api('GET', kind === 'timeline' ? '/orders/' + id + '/timeline' : '/' + kind + '/' + id);
    $('lookup-result').textContent = JSON.stringify(found, null, 2)
        + '\n(served by ' + ($('served-by').textContent) + ')';
  } catch (e) {
    $('lookup-result').textContent = e.message;
  }
}

let shown = null; // the letter in the editor

async function listLetters(event) {
  if (event) {
    event.preventDefault();
  }
  const params = new URLSearchParams();
  if ($('dlq-topic').value.trim()) params.set('topic', $('dlq-topic').value.trim());
  if ($('dlq-reason').value.trim()) params.set('reason', $('dlq-reason').value.trim());
  const body = $('letters').querySelector('tbody');
  try {
    const page = await api('GET', '/dead-letters?' + params);
    body.replaceChildren();
    for (const letter of page.items) {
      const row = document.createElement('tr');
      const at = letter.partition + '/' + letter.offset;
      row.dataset.letter = at;
      cell(row, at);
      cell(row, letter.sourceTopic + '-' + letter.sourcePartition + '@' + letter.sourceOffset);
      cell(row, letter.reason);
      cell(row, letter.valueEncoding === 'text' ? letter.value : '(' + letter.valueEncoding + ')', 'value');
      const view = document.createElement('button');
      view.type = 'button';
      view.textContent = 'View ' + at;
      view.addEventListener('click', () => show(letter));
      cell(row, '').appendChild(view);
      body.appendChild(row);
    }
  } catch (e) {
    body.replaceChildren();
    $('letter-state').textContent = 'Dead letters: ' + e.message;
  }
}

function show(letter) {
  shown = letter;
  $('letter-editor').hidden = false;
  $('letter-heading').textContent = 'Letter ' + letter.partition + '/' + letter.offset + ' from ' + letter.sourceTopic
      + ': ' + letter.reason + ' — ' + (letter.message || '');
  $('letter-value').value = letter.valueEncoding === 'text' ? letter.value : '';
  $('letter-state').textContent = letter.valueEncoding === 'text' ? ''
      : 'Its value is not text: redrive it as it was, or write a corrected value.';
  $('letter-value').focus();
}

async function redrive() {
  if (!shown) {
    return;
  }
  const body = {reason: $('letter-reason').value};
  const original = shown.valueEncoding === 'text' ? shown.value : '';
  if ($('letter-value').value !== original) {
    body.value = $('letter-value').value;
  }
  try {
    const done = await api('POST', '/dead-letters/orderflow.dlq/' + shown.partition + '/' + shown.offset + '/redrive',
        body);
    $('letter-state').textContent = 'Redriven to ' + done.topic + ' partition ' + done.partition + ' offset '
        + done.offset + ' by ' + done.operator + (body.value === undefined ? '' : ' (corrected)');
    listLetters();
  } catch (e) {
    $('letter-state').textContent = 'Refused: ' + e.message;
  }
}

function useToken(event) {
  event.preventDefault();
  sessionStorage.setItem('orderflow.token', $('token').value.trim());
  $('token').value = '';
  refreshes = 0;
  $('token-state').textContent = token() ? 'token set for this tab' : 'no token';
  refreshLive();
  findSagas();
  listLetters();
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', useToken);
  $('sagas-form').addEventListener('submit', findSagas);
  $('action-form').addEventListener('submit', act);
  $('lookup-form').addEventListener('submit', lookup);
  $('dlq-form').addEventListener('submit', listLetters);
  $('letter-redrive').addEventListener('click', redrive);
  $('token-state').textContent = token() ? 'token set for this tab' : 'no token';
  refreshLive();
  findSagas();
  listLetters();
  setInterval(refreshLive, REFRESH_MS);
});

// Each lesson's due date in nbgrader's Assignments tab.
//
// nbgrader's Assignments panel (@jupyter/nbgrader, widget id "nbgrader-assignment-list")
// draws one row per lesson in three lists (released, downloaded, submitted):
//   #released_assignments_list > .list_item > .col-md-12
//       > span.item_name (the lesson) + span.item_course + span.item_status (the button)
// It redraws them on every refresh, fetch and submit. A MutationObserver on the panel
// adds a line "Due <date and time, in the learner's own time zone>" to each row that has
// none yet; the dates come from the server extension classroom.duedates: on JupyterHub the
// learner's own (an extension's where granted, "own": true), elsewhere what
// `python -m classroom.deadlines --sync` published in the exchange (the lesson's).

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

const OPEN_COMMAND = 'nbgrader:open-assignment-list';
const PANEL_ID = 'nbgrader-assignment-list';
const ROWS = ['released', 'fetched', 'submitted']
  .map(list => `#${list}_assignments_list > .list_item > .col-md-12`)
  .join(', ');
const MARK = 'rnn-due';
const STYLE = `
#${PANEL_ID} .${MARK} { display: block; clear: both; font-size: var(--jp-ui-font-size1);
  color: var(--jp-ui-font-color2); line-height: 18px; }
#${PANEL_ID} .${MARK}:empty { display: none; }
#${PANEL_ID} .${MARK}.rnn-due-past { color: var(--jp-error-color1); font-weight: bold; }
`;

async function fetchDueDates(settings) {
  const url = URLExt.join(settings.baseUrl, 'rnn-course', 'due-dates');
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw new Error(`${url}: ${response.status} ${response.statusText}`);
  }
  const answer = await response.json();
  return { courses: answer.courses || {}, own: answer.own === true };
}

function formatDate(date) {
  return date.toLocaleString(undefined, {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
  });
}

function text(row, selector) {
  const element = row.querySelector(`:scope > ${selector}`);
  return element ? element.textContent.trim() : '';
}

// The line under one lesson's row: empty when the lesson has no published due date.
function dueLine(row, { courses, own }, now) {
  const line = document.createElement('span');
  line.className = MARK;
  const iso = (courses[text(row, '.item_course')] || {})[text(row, '.item_name')];
  const due = iso ? new Date(iso) : null;
  if (!due || isNaN(due)) {
    return line;
  }
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = formatDate(due);
  line.append('Due ', time);
  // A submitted lesson may well have been on time: only lessons still to do are "past due".
  if (due < now && !row.closest('#submitted_assignments_list')) {
    line.classList.add('rnn-due-past');
    line.append(own ? ' (past due: a submission now is late)'
      : ' (past due: a submission now is late, unless you were given an extension)');
  }
  return line;
}

function watch(panel, settings) {
  let running = false;
  let again = false;
  const pending = () =>
    [...panel.querySelectorAll(ROWS)].filter(row => !row.querySelector(`:scope > .${MARK}`));

  async function annotate() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (pending().length === 0) {
          break;
        }
        const dates = await fetchDueDates(settings);
        const now = new Date();
        for (const row of pending()) {
          row.append(dueLine(row, dates, now));
        }
      } while (again);
    } catch (error) {
      console.warn('rnn-course due dates:', error);
    } finally {
      running = false;
    }
  }

  new MutationObserver(annotate).observe(panel, { childList: true, subtree: true });
  annotate();
}

const plugin = {
  id: '@rnn-course/due-dates:plugin',
  description: "Shows each lesson's due date in nbgrader's Assignments tab.",
  autoStart: true,
  activate: app => {
    const style = document.createElement('style');
    style.textContent = STYLE;
    document.head.append(style);
    const settings = app.serviceManager.serverSettings;
    const watched = new WeakSet();
    const attach = () => {
      const panel = document.getElementById(PANEL_ID);
      if (panel && !watched.has(panel)) {
        watched.add(panel);
        watch(panel, settings);
      }
    };
    // The panel exists once nbgrader's command has opened it (from the menu, or when
    // JupyterLab restores the workspace).
    app.commands.commandExecuted.connect((_, executed) => {
      if (executed.id === OPEN_COMMAND) {
        Promise.resolve(executed.result).then(attach, attach);
      }
    });
    attach();
  }
};

export default plugin;

// The panel's whole static markup (inside <body>), pasted into the HTML template with its CSP and
// script by src/extension/panel.ts, and loaded alone by the webview tests. Static only: everything the
// host reports is written by the section views with textContent.
import { CLASSIFIER_SECTION_HTML } from './classifierHtml';
import { EXPLORER_SECTION_HTML } from './explorerHtml';
import { ENCODER_SECTION_HTML } from './encoderHtml';
import { MAP_SECTION_HTML } from './mapHtml';

export const PANEL_BODY_HTML = /* html */ `
  <main>
    <section id="run" aria-labelledby="run-heading">
      <header class="row">
        <h2 id="run-heading">Training</h2>
        <span id="status" role="status" aria-live="polite">No training run yet. Run “Transfer Lab: Pretrain Word Vectors on Workspace”.</span>
        <vscode-button id="cancel" secondary disabled>Cancel</vscode-button>
      </header>
      <div class="progress-row">
        <div id="progress" class="progress" role="progressbar" aria-label="Training progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="progress-fill"></div></div>
        <span id="eta" class="muted"></span>
      </div>
      <dl id="stats" class="stats"></dl>
      <figure>
        <canvas id="chart" data-points="0" width="800" height="260" role="img" aria-label="Training loss and words per second over time"></canvas>
        <figcaption class="legend"><span class="swatch loss"></span>loss <span class="swatch rate"></span>words/s <span id="past-runs" class="muted"></span></figcaption>
      </figure>
      <div class="row chart-controls">
        <label for="chart-smoothing">Smoothing</label>
        <input id="chart-smoothing" type="range" min="0" max="0.99" step="0.01" value="0" aria-describedby="chart-smoothing-value">
        <span id="chart-smoothing-value" class="muted">0.00</span>
        <label><input id="chart-log" type="checkbox"> Log scale</label>
        <vscode-button id="chart-csv" secondary>Export CSV</vscode-button>
        <vscode-button id="chart-png" secondary>Save PNG</vscode-button>
      </div>
      <details id="corpus" hidden>
        <summary id="corpus-summary"></summary>
        <ul id="skipped"></ul>
      </details>
    </section>
    ${EXPLORER_SECTION_HTML}
    <section id="evaluation" aria-labelledby="evaluation-heading">
      <header class="row">
        <h2 id="evaluation-heading">Evaluation</h2>
        <span id="evaluation-status" class="muted" role="status" aria-live="polite">Score a model on analogy questions (questions-words.txt) and scored word pairs (WordSim-353, SimLex-999).</span>
        <vscode-button id="evaluate" secondary>Evaluate…</vscode-button>
      </header>
      <p id="evaluation-model" class="muted"></p>
      <div id="evaluation-results"></div>
    </section>
    <section id="compare" aria-labelledby="compare-heading">
      <header class="row">
        <h2 id="compare-heading">What moved</h2>
        <span id="compare-status" class="muted" role="status" aria-live="polite">Compare a fine-tuned model with its parent, or any two models: which words changed their neighbours?</span>
        <vscode-button id="compare-button" secondary>Compare…</vscode-button>
        <vscode-button id="evaluate-pair" secondary disabled>Evaluate both</vscode-button>
        <vscode-button id="open-report" secondary disabled>Open as Markdown</vscode-button>
      </header>
      <p id="compare-summary" class="muted"></p>
      <div id="compare-body" class="compare-body" hidden>
        <div class="moved">
          <h3>Most moved words</h3>
          <table id="moved-table" class="eval-table moved-table" aria-label="Words whose neighbourhoods changed most, most moved first"></table>
        </div>
        <div class="word-compare">
          <form id="compare-word-form" class="row" autocomplete="off">
            <vscode-textfield id="compare-word" placeholder="Any word" aria-label="A word to look up in both models"></vscode-textfield>
            <vscode-button id="compare-word-button" secondary>Compare word</vscode-button>
          </form>
          <p id="compare-word-error" class="error" role="alert"></p>
          <p id="compare-word-caption" class="muted"></p>
          <div class="side-by-side">
            <div><h4 id="before-heading"></h4><ol id="before-list" class="neighbour-list" aria-labelledby="before-heading"></ol></div>
            <div><h4 id="after-heading"></h4><ol id="after-list" class="neighbour-list" aria-labelledby="after-heading"></ol></div>
          </div>
        </div>
      </div>
      <div id="pair-evaluation"></div>
    </section>
    ${MAP_SECTION_HTML}
    ${CLASSIFIER_SECTION_HTML}
    ${ENCODER_SECTION_HTML}
  </main>
`;

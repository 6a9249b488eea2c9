// The Classifier section's static markup, pasted into the panel's HTML template (src/extension/panel.ts).
// Static only: everything the host reports is written by ClassifierView (classifier.ts) with textContent.
export const CLASSIFIER_SECTION_HTML = /* html */ `
    <section id="classifier" class="clf" aria-labelledby="clf-heading">
      <header class="row">
        <h2 id="clf-heading">Classifier</h2>
        <span id="clf-status" class="muted" role="status" aria-live="polite">Train a text classifier on labelled data (a folder per label, CSV/TSV or JSONL) on top of a model's word vectors, and see what pretraining bought.</span>
        <vscode-button id="clf-train" secondary>Train Classifier…</vscode-button>
        <vscode-button id="clf-curve" secondary>Transfer-Gain Curve…</vscode-button>
        <vscode-button id="clf-cancel" secondary disabled>Cancel</vscode-button>
      </header>
      <dl id="clf-info" class="clf-info" hidden></dl>
      <div id="clf-training" class="clf-training" hidden>
        <figure>
          <canvas id="clf-chart" class="clf-chart" data-points="0" width="800" height="220" role="img" aria-label="Training and validation loss and accuracy per epoch: no epochs yet."></canvas>
          <figcaption class="legend clf-legend">
            <span class="clf-swatch clf-train-swatch"></span>train
            <span class="clf-swatch clf-validation-swatch"></span>validation
            <span class="muted">— solid: loss (left axis) · dashed: accuracy (right axis)</span>
            <span class="clf-swatch clf-best-swatch"></span>best epoch
          </figcaption>
        </figure>
        <p id="clf-epoch-stats" class="clf-epoch-stats"></p>
        <details id="clf-epochs-details" class="clf-epochs-details">
          <summary>Epochs</summary>
          <table id="clf-epochs" class="eval-table clf-table" aria-label="Loss, accuracy and speed per training epoch"></table>
        </details>
      </div>
      <div id="clf-results" class="clf-results" hidden>
        <div class="clf-big-numbers">
          <div class="clf-big"><span id="clf-accuracy" class="clf-big-number"></span><span class="clf-big-label">test accuracy</span></div>
          <div class="clf-big"><span id="clf-macro-f1" class="clf-big-number"></span><span class="clf-big-label">macro-F1</span></div>
          <p id="clf-result-notes" class="clf-result-notes muted"></p>
        </div>
        <div class="clf-tables">
          <div>
            <h3 id="clf-per-class-heading">Per class</h3>
            <div class="clf-scroll"><table id="clf-per-class" class="eval-table clf-table" aria-label="Precision, recall, F1 and support per class on the test set"></table></div>
          </div>
          <div>
            <h3 id="clf-confusion-heading">Confusion matrix</h3>
            <div class="clf-scroll"><table id="clf-confusion" class="clf-confusion" aria-label="Confusion matrix on the test set: rows are the true labels, columns the predicted labels"></table></div>
          </div>
        </div>
        <h3 id="clf-misclassified-heading">Misclassified test examples</h3>
        <p id="clf-misclassified-note" class="muted"></p>
        <ol id="clf-misclassified" class="clf-misclassified" aria-labelledby="clf-misclassified-heading"></ol>
        <vscode-button id="clf-more" secondary hidden>Show more</vscode-button>
      </div>
      <div id="clf-curve-block" class="clf-curve-block" hidden>
        <header class="row">
          <h3 id="clf-curve-heading">Transfer-gain curve</h3>
          <vscode-button id="clf-export" secondary hidden>Export CSV</vscode-button>
        </header>
        <figure>
          <svg id="clf-curve-plot" class="clf-curve-plot" data-points="0" role="img" aria-label="Transfer-gain curve: no points yet." xmlns="http://www.w3.org/2000/svg"></svg>
          <figcaption class="legend clf-legend">
            <span class="clf-swatch clf-random-swatch"></span>from scratch
            <span class="clf-swatch clf-frozen-swatch"></span>frozen
            <span class="clf-swatch clf-tuned-swatch"></span>fine-tuned
            <span class="muted">— test accuracy against labelled training examples</span>
          </figcaption>
        </figure>
        <div class="clf-scroll"><table id="clf-curve-table" class="eval-table clf-table" aria-label="Test accuracy per number of labelled training examples, from scratch and from the pretrained vectors, with the gain"></table></div>
      </div>
    </section>`;

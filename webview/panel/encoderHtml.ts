// The Encoder section's static markup (pasted into the panel by panelHtml.ts): a word in context, as a
// pretrained encoder reads it. Everything the host reports is written by EncoderView with textContent.
export const ENCODER_SECTION_HTML = /* html */ `
    <section id="encoder" aria-labelledby="encoder-heading">
      <header class="row">
        <h2 id="encoder-heading">Encoder</h2>
        <span id="encoder-status" class="muted" role="status" aria-live="polite">Pretrain an encoder ("Transfer Lab: Pretrain Encoder on Workspace…"), then see how it reads a word in different sentences.</span>
      </header>
      <form id="encoder-form" class="encoder-form" autocomplete="off">
        <div class="row">
          <label for="encoder-name">Encoder</label>
          <select id="encoder-name" class="map-select" disabled></select>
          <label for="encoder-word">Word</label>
          <input id="encoder-word" class="text-input encoder-word" type="text" spellcheck="false" placeholder="bank" disabled>
          <vscode-button id="encoder-inspect" secondary disabled>Inspect</vscode-button>
        </div>
        <label for="encoder-texts" class="encoder-texts-label">Sentences, one per line (up to 8)</label>
        <textarea id="encoder-texts" class="encoder-texts" rows="3" spellcheck="false" disabled>the bank of the river was flooded
the bank raised its interest rates</textarea>
      </form>
      <p id="encoder-error" class="error" role="alert"></p>
      <div id="encoder-results"></div>
    </section>`;

// The Nearest neighbours section's static markup, pasted into the panel's HTML template
// (src/extension/panel.ts). The search box is a plain <input> so that it can be an ARIA combobox
// with its suggestion list in the same document (a custom element's shadow root would hide the
// input from aria-activedescendant); it takes the theme's input colours from media/panel.css.
export const EXPLORER_SECTION_HTML = /* html */ `
    <section id="explore" aria-labelledby="explore-heading">
      <h2 id="explore-heading">Nearest neighbours</h2>
      <form id="query-form" class="row" role="search" autocomplete="off">
        <div class="combo">
          <input id="query" class="text-input" type="text" spellcheck="false" placeholder="Train a model first" disabled
            role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="query-suggestions"
            aria-label="A word; word arithmetic such as king - man + woman; an analogy such as man : king :: woman; or words separated by commas, for the odd one out">
          <ul id="query-suggestions" class="suggestions" role="listbox" aria-label="Words of the model that start with what you typed" hidden></ul>
        </div>
        <vscode-button id="search" disabled>Search</vscode-button>
        <label for="second-model">Side by side with</label>
        <select id="second-model" class="map-select" disabled>
          <option value="">no other model</option>
        </select>
      </form>
      <p id="examples" class="muted"></p>
      <p id="query-error" class="error" role="alert"></p>
      <p id="neighbours-caption" class="muted"></p>
      <p id="query-note" class="note" role="status"></p>
      <div id="explore-results" class="explore-results">
        <div class="explore-column">
          <h3 id="first-heading" class="column-heading" hidden></h3>
          <ol id="neighbours" aria-label="Nearest neighbours"></ol>
        </div>
        <div id="second-column" class="explore-column" hidden>
          <h3 id="second-heading" class="column-heading"></h3>
          <p id="second-error" class="error" role="alert"></p>
          <ol id="second-neighbours" class="second-neighbours" aria-labelledby="second-heading"></ol>
        </div>
      </div>
    </section>`;

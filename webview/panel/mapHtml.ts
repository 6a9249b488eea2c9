// The Map section's static markup, pasted into the panel's HTML template (src/extension/panel.ts).
// Static only: everything the host reports is drawn or written by MapView (map.ts) with textContent.
// The selects are plain <select> elements styled with the theme's dropdown colours (media/panel.css).
export const MAP_SECTION_HTML = /* html */ `
    <section id="map" class="map" aria-labelledby="map-heading">
      <header class="row">
        <h2 id="map-heading">Map</h2>
        <span id="map-status" class="muted" role="status" aria-live="polite">Draw the model's most frequent words on a 2-D map: PCA (fast, linear) or UMAP (keeps neighbourhoods).</span>
      </header>
      <div class="row map-controls">
        <label for="map-method">Method</label>
        <select id="map-method" class="map-select">
          <option value="pca" selected>PCA</option>
          <option value="umap">UMAP</option>
        </select>
        <label for="map-points">Words</label>
        <select id="map-points" class="map-select">
          <option value="1000">1,000</option>
          <option value="5000" selected>5,000</option>
          <option value="10000">10,000</option>
        </select>
        <vscode-button id="map-draw" secondary>Draw</vscode-button>
        <vscode-button id="map-export" secondary disabled>Export CSV</vscode-button>
        <form id="map-search-form" class="map-search" role="search" autocomplete="off">
          <vscode-textfield id="map-search" placeholder="Find a word" aria-label="Find a word on the map"></vscode-textfield>
        </form>
      </div>
      <div id="map-frame" class="map-frame">
        <canvas id="map-canvas" class="map-canvas" data-points="0" tabindex="0" role="img" aria-label="Map of the model's words: nothing drawn yet."></canvas>
      </div>
      <p id="map-hint" class="muted map-hint">Scroll to zoom, drag to pan, click a point to centre it, double-click to fit. Keyboard: arrow keys pan, + and − zoom, 0 fits.</p>
    </section>`;

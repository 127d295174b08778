// <fovea-classifier>: an image classifier a page embeds with one tag.
//
//   <script type="module">
//     import { defineClassifierElement } from './fovea.js';
//     defineClassifierElement();                       // registers <fovea-classifier>
//   </script>
//   <fovea-classifier model="models/resnet-fashion.onnx" labels="models/resnet-fashion.json" top="3">
//     <img src="shirt.png" alt="a shirt">
//   </fovea-classifier>
//
// Attributes: model (URL, required), labels (URL of a labels file: JSON array, JSON object with
// "labels" and optional "mean"/"std", or one label per line), top (default 5), mean and std
// (comma-separated numbers), fit ("fill" | "cover"), invert (boolean), src (an image URL to
// classify instead of the child image).
// It classifies its `src`, else its first child <img>/<canvas>/<video>, once both the model and
// the image are ready, again when either changes, and any image file dropped on it. Scripts call
// `el.classify(imageLike)`. The results are listed in its shadow DOM (parts: "status",
// "results", "label", "bar", "probability") and sent as a `fovea-result` event
// (detail: { predictions }); failures as `fovea-error` (detail: { error }). The element reflects
// its progress in its `state` attribute: loading | ready | classifying | done | error.
//
// Browser-only: the class is created inside defineClassifierElement(), so importing the
// library where HTMLElement does not exist (Node, workers) is harmless.
import { Classifier, type ClassifierOptions, type Prediction } from './classifier.js';
import type { ImageLike } from './image.js';

export type ClassifierElementState = 'loading' | 'ready' | 'classifying' | 'done' | 'error';

/** The element's interface (the class itself exists only once defined). */
export interface FoveaClassifierElement extends HTMLElement {
  /** The loaded classifier (resolves when the model is ready). */
  readonly ready: Promise<Classifier>;
  /** The latest predictions, most probable first. */
  readonly predictions: readonly Prediction[];
  readonly state: ClassifierElementState;
  /** Classifies an image (default: the element's src or child image) and shows the result. */
  classify(image?: ImageLike): Promise<Prediction[]>;
}

const STYLE = `
:host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; max-width: 100%; }
.status { color: #666; font-size: 12px; margin: 4px 0; }
:host([state="error"]) .status { color: #b00020; }
ol { list-style: none; margin: 4px 0 0; padding: 0; min-width: 220px; }
li { position: relative; display: flex; justify-content: space-between; gap: 8px; padding: 2px 6px; margin: 2px 0; }
.bar { position: absolute; inset: 0 auto 0 0; background: #cfe3ff; border-radius: 3px; z-index: -1; }
li { z-index: 0; }
.p { font-variant-numeric: tabular-nums; color: #333; }
::slotted(img), ::slotted(canvas), ::slotted(video) { max-width: 100%; display: block; }
img.src { max-width: 100%; display: block; }
`;

function numbers(v: string | null): number[] | undefined {
  if (v === null || v.trim() === '') return undefined;
  const list = v.split(/[\s,]+/).filter(Boolean).map(Number);
  if (!list.every(Number.isFinite)) throw new Error(`expected comma-separated numbers, got "${v}"`);
  return list;
}

/** Registers the element under `tag` (default 'fovea-classifier'); returns its class. */
export function defineClassifierElement(tag = 'fovea-classifier'): CustomElementConstructor {
  const existing = customElements.get(tag);
  if (existing) return existing;

  class Element extends HTMLElement implements FoveaClassifierElement {
    static observedAttributes = ['model', 'labels', 'mean', 'std', 'fit', 'invert', 'src', 'top'];

    private root: ShadowRoot;
    private statusEl: HTMLElement;
    private listEl: HTMLOListElement;
    private srcImg: HTMLImageElement;
    private loading: Promise<Classifier> | undefined;
    private loadedKey = '';
    private latest: Prediction[] = [];
    private generation = 0;
    private observer: MutationObserver | undefined;

    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = STYLE;
      this.srcImg = document.createElement('img');
      this.srcImg.className = 'src';
      this.srcImg.hidden = true;
      this.srcImg.alt = '';
      const slot = document.createElement('slot');
      this.statusEl = document.createElement('div');
      this.statusEl.className = 'status';
      this.statusEl.setAttribute('part', 'status');
      this.statusEl.setAttribute('role', 'status');
      this.listEl = document.createElement('ol');
      this.listEl.setAttribute('part', 'results');
      this.root.append(style, this.srcImg, slot, this.statusEl, this.listEl);
      this.addEventListener('dragover', (e) => e.preventDefault());
      this.addEventListener('drop', (e) => this.onDrop(e));
    }

    get ready(): Promise<Classifier> {
      return this.load();
    }

    get predictions(): readonly Prediction[] {
      return this.latest;
    }

    get state(): ClassifierElementState {
      return (this.getAttribute('state') as ClassifierElementState | null) ?? 'loading';
    }

    private setState(state: ClassifierElementState, status: string): void {
      this.setAttribute('state', state);
      this.statusEl.textContent = status;
    }

    connectedCallback(): void {
      // A child image added or replaced later is classified too.
      this.observer ??= new MutationObserver(() => void this.autoClassify());
      this.observer.observe(this, { childList: true, subtree: true, attributes: true, attributeFilter: ['src'] });
      void this.autoClassify();
    }

    disconnectedCallback(): void {
      this.observer?.disconnect();
    }

    attributeChangedCallback(name: string, old: string | null, value: string | null): void {
      if (old === value || !this.isConnected) return;
      void this.autoClassify();
    }

    private options(): ClassifierOptions {
      const fit = this.getAttribute('fit');
      return {
        labels: this.getAttribute('labels') || undefined,
        mean: numbers(this.getAttribute('mean')),
        std: numbers(this.getAttribute('std')),
        fit: fit === 'cover' || fit === 'fill' ? fit : undefined,
        invert: this.hasAttribute('invert'),
        session: {
          onProgress: (loaded, total, stage) => {
            if (this.state !== 'loading') return;
            const pct = total ? ` ${Math.round((100 * loaded) / total)}%` : '';
            this.statusEl.textContent = stage === 'download' ? `loading the model…${pct}` : `preparing the GPU…${pct}`;
          },
        },
      };
    }

    /** The classifier for the current attributes (created once per model/labels/preprocessing). */
    private load(): Promise<Classifier> {
      const model = this.getAttribute('model');
      if (!model) return Promise.reject(new Error('<fovea-classifier> needs a model attribute'));
      const opts = this.options();
      const key = JSON.stringify([model, opts.labels, opts.mean, opts.std, opts.fit, opts.invert]);
      if (!this.loading || key !== this.loadedKey) {
        const previous = this.loading;
        this.loadedKey = key;
        this.setState('loading', 'loading the model…');
        this.loading = Classifier.create(new URL(model, document.baseURI).href, opts);
        void previous?.then((c) => c.release(), () => {});
        // Failures are reported by the caller (autoClassify, or the script awaiting classify/ready).
        this.loading.then(
          () => {
            if (this.state === 'loading') this.setState('ready', 'ready');
          },
          () => {},
        );
      }
      return this.loading;
    }

    private fail(e: unknown): void {
      const error = e instanceof Error ? e : new Error(String(e));
      this.setState('error', error.message);
      this.dispatchEvent(new CustomEvent('fovea-error', { detail: { error }, bubbles: true }));
    }

    /** The image to classify without an argument: src, else the first child image. */
    private async defaultImage(): Promise<ImageLike | undefined> {
      const src = this.getAttribute('src');
      if (src) {
        if (this.srcImg.getAttribute('src') !== src) {
          this.srcImg.crossOrigin = 'anonymous';
          this.srcImg.src = src;
        }
        this.srcImg.hidden = false;
        await this.srcImg.decode();
        return this.srcImg;
      }
      this.srcImg.hidden = true;
      const child = this.querySelector('img, canvas, video');
      if (!child) return undefined;
      if (child instanceof HTMLImageElement) {
        await child.decode();
      } else if (child instanceof HTMLVideoElement && child.readyState < 2) {
        await new Promise((ok) => child.addEventListener('loadeddata', ok, { once: true }));
      }
      return child as ImageLike;
    }

    private async autoClassify(): Promise<void> {
      if (!this.getAttribute('model')) return;
      let image: ImageLike | undefined;
      try {
        await this.load();
        image = await this.defaultImage();
      } catch (e) {
        this.fail(e);
        return;
      }
      // classify() reports its own failures.
      if (image) await this.classify(image).catch(() => {});
    }

    async classify(image?: ImageLike): Promise<Prediction[]> {
      const gen = ++this.generation;
      try {
        const classifier = await this.load();
        const img = image ?? (await this.defaultImage());
        if (!img) throw new Error('<fovea-classifier>: no image to classify (give one, or a src attribute, or a child <img>)');
        this.setState('classifying', 'classifying…');
        const top = Math.max(1, Number(this.getAttribute('top') ?? 5) || 5);
        const t = performance.now();
        const predictions = await classifier.classify(img, { top });
        const ms = performance.now() - t;
        // A newer call has started meanwhile: its result is the one to show.
        if (gen !== this.generation) return predictions;
        this.latest = predictions;
        this.render(predictions);
        this.setState('done', `${predictions[0]?.label ?? '?'} · ${ms.toFixed(0)} ms`);
        this.dispatchEvent(new CustomEvent('fovea-result', { detail: { predictions }, bubbles: true }));
        return predictions;
      } catch (e) {
        if (gen === this.generation) this.fail(e);
        throw e;
      }
    }

    private render(predictions: Prediction[]): void {
      this.listEl.replaceChildren(
        ...predictions.map((p) => {
          const li = document.createElement('li');
          const bar = document.createElement('span');
          bar.className = 'bar';
          bar.setAttribute('part', 'bar');
          bar.style.width = `${(p.probability * 100).toFixed(1)}%`;
          const label = document.createElement('span');
          label.setAttribute('part', 'label');
          label.textContent = p.label;
          const pct = document.createElement('span');
          pct.className = 'p';
          pct.setAttribute('part', 'probability');
          pct.textContent = `${(p.probability * 100).toFixed(1)}%`;
          li.append(bar, label, pct);
          return li;
        }),
      );
    }

    private async onDrop(e: DragEvent): Promise<void> {
      const file = [...(e.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
      if (!file) return;
      e.preventDefault();
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(file);
      } catch (err) {
        this.fail(err);
        return;
      }
      await this.classify(bitmap).catch(() => {});
      bitmap.close();
    }
  }

  customElements.define(tag, Element);
  return Element;
}

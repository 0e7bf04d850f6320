// model.py's source in the trainer Worker's build (scripts/build-js.mjs resolves pytorch-source.js
// here for dist/recurrent.trainer.js): a trainer fits, predicts and saves but never exports, so
// it does not carry the Python text; export/pytorch.ts refuses on an empty source.
export const PYTORCH_SOURCE = "";

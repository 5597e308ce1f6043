'use strict';
// transformers.js requires this package when it is imported in Node; the project uses transformers.js
// there only for its tokenizer and runs every model with onnxruntime-web. Importing works; running
// a model through it says what happened instead of failing somewhere deeper.
const refuse = () => {
  throw new Error('onnxruntime-node is not installed in this project (run models with onnxruntime-web).');
};
class InferenceSession {
  static create() {
    return Promise.reject(
      new Error('onnxruntime-node is not installed in this project (run models with onnxruntime-web).'),
    );
  }
}
class Tensor {
  constructor() {
    refuse();
  }
}
module.exports = { InferenceSession, Tensor, env: {} };

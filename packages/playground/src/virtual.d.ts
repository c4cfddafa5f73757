/** The digits scripts/build.mjs builds into the page. */
declare module 'virtual:mnist-subset' {
  const digits: import('./digits.js').EncodedDigits;
  export default digits;
}

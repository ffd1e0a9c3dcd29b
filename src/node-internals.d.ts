// Buffer methods that Node has shipped for years but @types/node does not declare.
// latin1Slice/latin1Write skip the encoding switch of toString/write on the hot path.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string
    latin1Write(s: string, offset: number, length?: number): number
  }
}
export {}

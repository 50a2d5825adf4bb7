import { describe, expect, it } from 'vitest';
import { parseJsonSamples } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

describe('JSON', () => {
  it('reads { x, y } rows and an array of { x, y } samples alike', () => {
    const a = parseJsonSamples('{"x":[[0,1],[1,1]],"y":[[1],[0]]}', 'a.json');
    const b = parseJsonSamples('[{"x":[0,1],"y":1},{"x":[1,1],"y":[0]}]', 'b.json');
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    expect(b.y).toEqual([[1], [0]]);
  });

  it('names the JSON path of a bad value, a ragged row or a missing part', () => {
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0,1],[1,"a"]],"y":[1,0]}', 'd.json')).message).toBe('d.json: x/1/1 must be a number, got "a"');
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0,1],[1]],"y":[1,0]}', 'd.json')).message).toBe('d.json: x/1 has 1 value(s), expected 2 like x/0');
    expect(catchGradstream(() => parseJsonSamples('[{"x":[0,1]}]', 'd.json')).message).toBe('d.json: 0/y is required');
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0]],"y":[1,0]}', 'd.json')).message).toMatch(/^d\.json: \(root\) has 1 x row\(s\) but 2 y row\(s\)/);
    expect(catchGradstream(() => parseJsonSamples('{"x":[],"y":[]}', 'd.json')).message).toBe('d.json: (root) holds no samples');
    expect(catchGradstream(() => parseJsonSamples('{"x": [1,', 'd.json')).message).toMatch(/^d\.json: not a JSON file/);
  });
});

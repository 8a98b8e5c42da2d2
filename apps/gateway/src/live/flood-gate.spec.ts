import { FloodGate } from './flood-gate';

describe('flood gate', () => {
  it('admits up to the cap within a second and sheds the rest', () => {
    const gate = new FloodGate(1_000);
    expect(gate.admit(600, 0)).toBe(600);
    expect(gate.admit(600, 100)).toBe(400);
    expect(gate.admit(50, 999)).toBe(0);
  });

  it('opens again in the next second', () => {
    const gate = new FloodGate(1_000);
    expect(gate.admit(5_000, 0)).toBe(1_000);
    expect(gate.admit(5_000, 1_000)).toBe(1_000);
    expect(gate.admit(10, 1_500)).toBe(0);
  });

  it('counts a batch published before the current window in it', () => {
    const gate = new FloodGate(1_000);
    expect(gate.admit(800, 5_000)).toBe(800);
    expect(gate.admit(800, 4_900)).toBe(200);
  });
});

import { BoundedLabels } from './deployment-metrics';

describe('BoundedLabels', () => {
  it('keeps the first pairs it sees and counts the rest as other', () => {
    const labels = new BoundedLabels(2);
    expect(labels.of('p1', 'e1')).toEqual({ project: 'p1', environment: 'e1' });
    expect(labels.of('p2', 'e1')).toEqual({ project: 'p2', environment: 'e1' });
    expect(labels.of('p3', 'e1')).toEqual({ project: 'other', environment: 'other' });
    // one already seen keeps its own
    expect(labels.of('p1', 'e1')).toEqual({ project: 'p1', environment: 'e1' });
  });
});

// The header row of a plain table whose cells are captioned by these labels (also their `data-label` on phones).
export function ColumnHeaders({ labels }: { labels: string[] }) {
  return (
    <thead>
      <tr>
        {labels.map((label) => (
          <th key={label} scope="col">
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

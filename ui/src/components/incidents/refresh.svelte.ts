/** Tells the incident list that an incident changed (an action in the detail), so it reloads. */
export class IncidentChanges {
  count = $state(0);

  changed(): void {
    this.count++;
  }
}

/** The one instance the Incidents page shares. */
export const incidentChanges = new IncidentChanges();

package org.bpfsdt.loader.object;

/**
 * A variable of a global data section, as its DATASEC describes it.
 *
 * @param name    variable name
 * @param map     index of its data map in the object's maps
 * @param offset  byte offset in the map's value
 * @param size    bytes
 * @param typeId  its type in the object's BTF
 * @param global  false for {@code static} (and hidden) variables, which skeletons do not expose
 */
public record GlobalVar(String name, int map, int offset, int size, int typeId, boolean global) {
}
